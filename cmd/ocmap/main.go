// Command ocmap maps organized-crime incidents to Pakistan's districts.
// Run `ocmap help` for the commands.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
