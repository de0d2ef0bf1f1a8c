package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is set at build time with -ldflags "-X main.version=..." for releases.
var version = "0.1.0-dev"

func init() {
	register(&Command{
		Name:  "version",
		Usage: "",
		Short: "print the ocmap version",
		Long:  "Prints the ocmap version, the Go version and the versions of the main libraries.",
		Run: func(ctx context.Context, env *Env, args []string) error {
			fmt.Fprintf(env.Stdout, "ocmap %s (%s)\n", version, runtime.Version())
			if bi, ok := debug.ReadBuildInfo(); ok {
				for _, d := range bi.Deps {
					switch d.Path {
					case "github.com/apache/arrow-go/v18", "github.com/duckdb/duckdb-go/v2", "github.com/paulmach/orb":
						fmt.Fprintf(env.Stdout, "  %s %s\n", d.Path, d.Version)
					}
				}
			}
			return nil
		},
	})
}
