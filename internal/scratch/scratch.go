// Package scratch makes temporary files that a killed run does not leave
// behind.
package scratch

import (
	"os"
	"runtime"
)

// File creates a temporary file in the system's temporary folder and, where
// the system allows it (not Windows), removes its name at once: the open
// file lives on until it is closed. So a run stopped by SIGKILL, an out of
// memory kill or a power cut leaves nothing behind, and the rejected rows
// a spill holds (raw text that may name a victim) never outlive the run.
// Callers still remove f.Name() when done, for Windows.
func File(pattern string) (*os.File, error) {
	f, err := os.CreateTemp("", pattern)
	if err != nil {
		return nil, err
	}
	if runtime.GOOS != "windows" {
		if err := os.Remove(f.Name()); err != nil {
			f.Close()
			return nil, err
		}
	}
	return f, nil
}
