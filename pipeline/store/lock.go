//go:build duckdb_arrow

package store

import (
	"errors"
	"fmt"
	"os"
)

// ErrLocked is LockFile's error when another process holds the lock.
var ErrLocked = errors.New("locked by another process")

// LockFile takes an exclusive lock on the file at path, creating it, without
// waiting: it returns ErrLocked when another process holds it. unlock
// removes the file and releases the lock. A process that opened the file
// just before it was removed finds that the file it locked is no longer the
// one at path, and opens it again, so two processes never both hold it.
// Where the system has no such locks (see lock_other.go) it always succeeds.
func LockFile(path string) (unlock func(), err error) {
	for range 10 {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if err := tryLock(f); err != nil {
			f.Close()
			if errors.Is(err, ErrLocked) {
				return nil, fmt.Errorf("%s: %w", path, ErrLocked)
			}
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		held, herr := f.Stat()
		now, nerr := os.Stat(path)
		if herr == nil && nerr == nil && os.SameFile(held, now) {
			return func() {
				os.Remove(path)
				f.Close()
			}, nil
		}
		f.Close() // removed by its holder meanwhile: try the new one
	}
	return nil, fmt.Errorf("lock %s: the file kept changing", path)
}
