// Command hello prints one line and exits: the least start-up and exit of
// any Go program on the machine, which BenchmarkVersionProcess reports
// beside anvil's as hello-ms.
package main

import "fmt"

func main() { fmt.Println("hello") }
