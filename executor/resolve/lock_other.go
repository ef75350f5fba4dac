//go:build !unix

package resolve

import "os"

// tryLockFile has no cross-process lock off Unix: the in-process lock and
// the atomic rename of fetched trees still keep the cache consistent, but
// two processes may fetch the same commit.
func tryLockFile(*os.File) (bool, error) { return true, nil }

func unlockFile(*os.File) {}
