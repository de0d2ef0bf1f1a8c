// Package read turns agency files into raw rows: it opens plain or
// gzip-compressed files, hashes the bytes for lineage, and splits CSV text
// into records without allocating per row.
//
// A malformed record (an unclosed quote, text after a closing quote, a record
// longer than the limit) is returned like any other record, with Malformed
// set, covering only its first physical line; scanning resumes on the next
// line. So every line of the input ends up in some record, or is counted as
// blank, and the caller can keep the promise rows read = rows accepted +
// rows rejected.
//
// # Limits and hygiene
//
// A line longer than DefaultMaxRecord (1 MiB) is one malformed record,
// whatever its length: its first KiB is kept as Raw and the rest is read past
// in constant memory, so the lines after it keep their numbers. A JSON array
// element is held to the same size and to DefaultMaxDepth levels of nesting;
// a larger one is one malformed record named by its index in the array.
//
// Field values never hold U+FEFF (a byte-order mark left inside concatenated
// files is removed), and a value holding a control character other than
// tab, CR and LF (NUL above all) makes its record malformed, naming the
// column: such text is damage or a wrong encoding, and "Lah\x00ore" must not
// be matched to Lahore. Records whose every field is empty or spaces (",,,")
// are blank lines, skipped and counted, like empty lines.
package read
