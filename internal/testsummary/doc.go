// Command testsummary runs go test -json and prints what go test prints
// without -v (one line per package), then every failure in full and every
// skipped test with its reason, which go test hides without -v: a
// cross-check that skips because a tool is missing says so. It exits 1
// when a test or a build failed, or go test did.
//
//	go run ./internal/testsummary -tags duckdb_arrow -count=1 ./...
//	go test -json ./... | go run ./internal/testsummary
//
// With arguments it runs $GO (default go) test -json with them; without,
// it reads go test -json's output on standard input.
package main
