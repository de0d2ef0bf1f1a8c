package schemas

import (
	"bytes"
	"strings"
)

// CROnlyReason explains a header line that runs on past a carriage return.
const CROnlyReason = "the line goes on past a carriage return (CR): the file's lines end with CR only, as old Mac programs write them; save it with Windows (CRLF) or Unix (LF) line endings"

// CROnly reports whether raw holds a CR that does not end a line: in a
// header, the sign of CR-only line endings, which make the whole file one
// line.
func CROnly(raw []byte) bool {
	for {
		i := bytes.IndexByte(raw, '\r')
		if i < 0 || i+1 >= len(raw) {
			return false
		}
		if raw[i+1] != '\n' {
			return true
		}
		raw = raw[i+1:]
	}
}

// HeaderLike reports whether s may be a column name rather than a value,
// so that an error about a header may show it: at most 64 bytes, no
// control character, no '@', no run of five or more digits (joined by
// spaces or hyphens, as in dates, CNIC and phone numbers) and nothing
// LooksPersonal finds. A header that is really a row of data holds
// personal values.
func HeaderLike(s string) bool {
	if len(s) > 64 || strings.IndexByte(s, '@') >= 0 || LooksPersonal([]byte(s)) {
		return false
	}
	run := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c < 0x20 || c == 0x7F:
			return false
		case c >= '0' && c <= '9':
			if run++; run >= 5 {
				return false
			}
		case c != ' ' && c != '-':
			run = 0
		}
	}
	return true
}
