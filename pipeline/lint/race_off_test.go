//go:build !race

package lint

// memoryFactor is how much more memory the race detector makes a program
// use: none without it.
const memoryFactor = 1
