// Package read turns agency files into raw rows: it opens plain or
// gzip-compressed files, hashes the bytes for lineage, and splits CSV text
// into records without allocating per row.
//
// A malformed record (an unclosed quote, text after a closing quote, a record
// longer than the limit) is returned like any other record, with Malformed
// set, covering only its first physical line; scanning resumes on the next
// line. So every line of the input ends up in some record and the caller can
// keep the promise rows read = rows accepted + rows rejected.
package read
