// Package archtest holds only a test: it parses the imports of every
// package and fails when the layering in the README is broken (stages that
// import each other, a leaf that grows dependencies, DuckDB outside store).
package archtest
