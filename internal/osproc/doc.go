// Package osproc reads and tends this machine's processes: whether one has
// exited (Alive, IsZombie, for anvil drain) and giving an idle daemon's
// memory back (ReleaseMemory, the runner's OnIdle). It imports nothing of
// anvil's; cmd wires it.
package osproc
