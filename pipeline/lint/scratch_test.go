package lint

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

func TestScratch(t *testing.T) {
	data, _ := os.ReadFile(os.Getenv("F"))
	var labels []string
	if l := os.Getenv("L"); l != "" {
		labels = strings.Split(l, ",")
	}
	for _, f := range New(Options{Labels: labels}).Check("x.yml", data) {
		fmt.Println(f.String(), f.Advisory)
	}
}

func TestScratchRaw(t *testing.T) {
	data, _ := os.ReadFile(os.Getenv("F"))
	for _, f := range New(Options{}).actionlint("x.yml", data) {
		fmt.Println(f.String(), f.Advisory)
	}
}

func BenchmarkScratch(b *testing.B) {
	data, _ := os.ReadFile("../testdata/bench/six-jobs.yml")
	l := New(Options{Labels: []string{"ubuntu-latest"}})
	for b.Loop() {
		l.Check("x.yml", data)
	}
}
