// Command libs links the third-party libraries that "anvil exec" of a host
// job uses (act's workflow model and expression parser, actionlint, go-git,
// cobra, YAML, CEL for policies, protobuf's JSON for policy input) and
// does nothing with them: its start-up and exit are a lower bound for any
// program built on them. The linker drops what nothing uses, so the real
// cost of these libraries is higher (actionlint's tables of builtin
// functions and popular actions, for one). BenchmarkVersionProcess and
// BenchmarkExecProcessVsAct report it as libs-ms.
package main

import (
	"fmt"

	_ "cel.dev/cel-go/cel"
	_ "cel.dev/cel-go/ext"
	_ "github.com/docker/go-units"
	_ "github.com/go-git/go-git/v5"
	_ "github.com/nektos/act/pkg/exprparser"
	_ "github.com/nektos/act/pkg/model"
	_ "github.com/nektos/act/pkg/workflowpattern"
	_ "github.com/rhysd/actionlint"
	_ "github.com/spf13/cobra"
	_ "golang.org/x/sys/unix"
	_ "google.golang.org/protobuf/encoding/protojson"
	_ "google.golang.org/protobuf/types/known/structpb"
	_ "gopkg.in/yaml.v3"
)

func main() { fmt.Println("libs") }
