//go:build !unix

package audit

import "os"

// lockFile does nothing where flock is missing: one process per file.
func lockFile(*os.File) error { return nil }

func unlockFile(*os.File) {}
