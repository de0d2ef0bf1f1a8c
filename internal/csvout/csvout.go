// Package csvout writes the CSV files ocmap gives users, who open them in
// Excel or LibreOffice. A cell that begins with =, +, -, @, a tab or a
// carriage return is a formula to a spreadsheet ("=HYPERLINK(...)",
// "-2+3+cmd|'/C calc'!A0"), and place names, sources and reasons come
// from agency files; so, as OWASP advises for CSV injection, such a cell is
// written with a single quote in front and in double quotes: the
// spreadsheet shows it as text. A cell that is a plain decimal number
// ("-2.5", "-17", "1e-3") is written unchanged, so numbers stay numbers,
// and so is a lone sign such as "-".
//
// Every CSV writer of ocmap's outputs goes through [Writer]; only files that
// ocmap itself reads back (such as the temporary table behind an export's
// Parquet file, or synthetic input data) use encoding/csv.
package csvout

import (
	"bufio"
	"io"
	"strings"
)

// Writer writes CSV records with "\n" line ends, quoting as RFC 4180 and
// escaping formulas as the package says.
type Writer struct {
	w   *bufio.Writer
	err error
}

// NewWriter returns a Writer to w; call Flush when done.
func NewWriter(w io.Writer) *Writer {
	return &Writer{w: bufio.NewWriter(w)}
}

// Write writes one record. Errors are sticky: after one, Write does nothing
// and Error reports it.
func (w *Writer) Write(record []string) error {
	if w.err != nil {
		return w.err
	}
	for i, f := range record {
		if i > 0 {
			w.w.WriteByte(',')
		}
		cell, quote := Cell(f)
		if !quote {
			w.w.WriteString(cell)
			continue
		}
		w.w.WriteByte('"')
		w.w.WriteString(strings.ReplaceAll(cell, `"`, `""`))
		w.w.WriteByte('"')
	}
	_, w.err = w.w.WriteString("\n")
	return w.err
}

// WriteAll writes the records and flushes.
func (w *Writer) WriteAll(records [][]string) error {
	for _, r := range records {
		if err := w.Write(r); err != nil {
			return err
		}
	}
	w.Flush()
	return w.err
}

// Flush writes what is buffered to the underlying writer.
func (w *Writer) Flush() {
	if err := w.w.Flush(); w.err == nil {
		w.err = err
	}
}

// Error returns the first error of a Write or Flush.
func (w *Writer) Error() error { return w.err }

// Cell returns the text a spreadsheet must see for s, and whether it must be
// written in double quotes: a formula gets a leading single quote and
// quotes; text with a comma, semicolon (the separator of many locales),
// double quote, line break or a leading or trailing space gets quotes.
func Cell(s string) (text string, quote bool) {
	if s == "" {
		return s, false
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		// A lone "-" (a common "none") has nothing to compute.
		if len(s) > 1 && !IsNumber(s) {
			return "'" + s, true
		}
	}
	return s, strings.ContainsAny(s, ",;\"\r\n") || s[0] == ' ' || s[len(s)-1] == ' '
}

// IsNumber reports whether s is a plain decimal number: an optional sign,
// digits with an optional decimal point, and an optional exponent ("-17",
// "+3", "-2.5", ".5", "1e-3"). Hex, "Inf" and "NaN" are not numbers here.
func IsNumber(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i, digits = i+1, digits+1
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i, digits = i+1, digits+1
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i, exp = i+1, exp+1
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(s)
}
