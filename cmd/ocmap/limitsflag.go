package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/ocmap/ocmap/pipeline/read"
)

// limitsOptions is --max-bytes, of the commands that read input files.
type limitsOptions struct {
	maxBytes sizeValue
}

func (o *limitsOptions) AddFlags(fs *pflag.FlagSet) {
	fs.Var(&o.maxBytes, "max-bytes", "the most one gzip or XLSX input may expand to, e.g. 100GB, replacing the limits against zip bombs (see 'ocmap help ingest')")
}

func (o *limitsOptions) limits() read.Limits { return read.Limits{MaxBytes: int64(o.maxBytes)} }

// limitsHelp documents the limits, for the commands with --max-bytes.
var limitsHelp = fmt.Sprintf(`Limits: a compressed input is refused, naming the file and the limit, when
it expands more than a genuine file would: a gzip file past %s of text,
or past 64MiB at more than 200 times its compressed size; a workbook past
%s unzipped, or a part of it at more than 100 times. These catch "zip
bombs", small files that expand to fill the disk. --max-bytes SIZE
replaces them all with SIZE (in KB, MB, GB, TB, or KiB, MiB, GiB, TiB):
set it above the file's real size to read a genuine file refused as a
bomb. A sheet may have at most %s cells (the empty ones before the
last of each row count); save a larger one as CSV.`,
	read.Size(read.DefaultGzipBytes), read.Size(read.DefaultXLSXBytes), commas(read.DefaultMaxCells))

// limitHint tells how to raise the limit an error is about.
func limitHint(err error) error {
	if errors.Is(err, read.ErrTooLarge) {
		return fmt.Errorf("%w; if the file is genuine, read it with --max-bytes above its real size (e.g. --max-bytes 100GB)", err)
	}
	return err
}

// sizeValue is a byte count given as 1500, 64KB, 1.5GB or 64GiB.
type sizeValue int64

func (s *sizeValue) String() string {
	if *s == 0 {
		return ""
	}
	return read.Size(int64(*s))
}

func (s *sizeValue) Type() string { return "size" }

func (s *sizeValue) Set(text string) error {
	n, err := parseSize(text)
	if err != nil {
		return err
	}
	*s = sizeValue(n)
	return nil
}

// parseSize reads a positive byte count with an optional unit: KB, MB, GB
// and TB are powers of 1000, KiB, MiB, GiB and TiB of 1024, B is bytes.
func parseSize(text string) (int64, error) {
	t := strings.ToLower(strings.TrimSpace(text))
	mult := 1.0
	for _, u := range []struct {
		suffix string
		mult   float64
	}{
		{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"tib", 1 << 40},
		{"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9}, {"tb", 1e12}, {"b", 1},
	} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || f <= 0 || f*mult >= 1<<62 {
		return 0, fmt.Errorf("%q: want a size such as 500MB, 100GB or 64GiB", text)
	}
	return int64(f * mult), nil
}
