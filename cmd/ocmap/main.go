// Command ocmap maps organized-crime incidents to Pakistan's districts.
// Run `ocmap help` for the commands.
package main

import (
	"os"
	"runtime/pprof"
)

func main() {
	// OCMAP_CPUPROFILE=FILE writes a CPU profile, for performance work.
	if p := os.Getenv("OCMAP_CPUPROFILE"); p != "" {
		if f, err := os.Create(p); err == nil {
			pprof.StartCPUProfile(f)
			code := run(os.Args[1:], os.Stdout, os.Stderr)
			pprof.StopCPUProfile()
			f.Close()
			os.Exit(code)
		}
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
