//go:build race

package lint

// memoryFactor is how much more memory the race detector makes a program
// use: Go documents 5 to 10 times for the whole program; reading files
// takes about 3 times.
const memoryFactor = 4
