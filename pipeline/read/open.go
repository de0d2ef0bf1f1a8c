package read

import (
	"bufio"
	"compress/flate"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"sync/atomic"
)

// File is an opened input: its decompressed text and, once read to the end,
// the SHA-256 and size of the bytes on disk.
type File struct {
	Path string
	f    *os.File
	h    hash.Hash
	n    atomic.Int64
	r    io.Reader
	gz   *gzip.Reader
	// text hashes the decompressed text of a gzip file, so that the same
	// rows gzipped and plain are known as one file; nil for plain files,
	// whose text is their bytes.
	text hash.Hash
}

// Open opens path for reading within the default Limits. Gzip input is
// detected by its magic bytes, so a compressed file needs no special name.
func Open(path string) (*File, error) { return OpenLimited(path, Limits{}) }

// OpenLimited opens path for reading; a gzip file whose text expands past
// lim fails its Read with an error wrapping ErrTooLarge.
func OpenLimited(path string, lim Limits) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	file := &File{Path: path, f: f, h: sha256.New()}
	br := bufio.NewReaderSize(io.TeeReader(countingReader{f, &file.n}, file.h), 1<<16)
	magic, _ := br.Peek(2)
	file.r = br
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: not a valid gzip file: %w", path, err)
		}
		file.gz = gz
		max, ratio := lim.gzipBytes()
		file.text = sha256.New()
		file.r = io.TeeReader(&expansion{r: gz, in: &file.n, max: max, ratio: ratio}, file.text)
	}
	return file, nil
}

// expansion fails a decompressed stream that grows past max bytes or, when
// ratio is set, past gzipRatioFloor at more than ratio times the compressed
// bytes read. Its errors leave out the path, as those of os.File do not:
// the readers over it add the path and line.
type expansion struct {
	r          io.Reader
	in         *atomic.Int64 // compressed bytes read from disk
	out        int64
	max, ratio int64
	err        error
}

func (e *expansion) Read(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.r.Read(p)
	e.out += int64(n)
	switch {
	case e.out > e.max:
		e.err = fmt.Errorf("%w: it decompresses to more than %s", ErrTooLarge, Size(e.max))
	case e.ratio > 0 && e.out > gzipRatioFloor && e.out > e.ratio*e.in.Load():
		e.err = fmt.Errorf("%w: it decompresses to more than %d times its compressed size, as a gzip bomb does (%s from %s so far)",
			ErrTooLarge, e.ratio, Size(e.out), Size(e.in.Load()))
	}
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		e.err = fmt.Errorf("%w: the gzip file ends too early (a download or copy cut short?); get the whole file again", ErrDamaged)
	case errors.Is(err, gzip.ErrChecksum), errors.Is(err, gzip.ErrHeader), errors.As(err, new(flate.CorruptInputError)):
		e.err = fmt.Errorf("%w: the gzip file is damaged (%v); get the file again", ErrDamaged, err)
	}
	if e.err != nil {
		return 0, e.err
	}
	return n, err
}

// Name returns the path, so that readers built on f can name it in errors.
func (f *File) Name() string { return f.Path }

// Read reads decompressed text.
func (f *File) Read(p []byte) (int, error) { return f.r.Read(p) }

// Digest returns the hex SHA-256 and the size of the bytes read so far from
// disk. After the text has been read to EOF, the rest of the file (such as a
// gzip trailer) is hashed too, so the digest covers the whole file.
func (f *File) Digest() (string, int64, error) {
	if f.text != nil {
		// The text is normally at its end already; this covers the rest.
		if _, err := io.Copy(io.Discard, f.r); err != nil {
			return "", 0, err
		}
	}
	if _, err := io.Copy(io.Discard, io.TeeReader(countingReader{f.f, &f.n}, f.h)); err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(f.h.Sum(nil)), f.n.Load(), nil
}

// ContentDigest returns the hex SHA-256 of the decompressed text, after
// Digest: for a plain file it is Digest's, for a gzip file that of the
// text inside, so the same rows in another wrapping have the same digest.
func (f *File) ContentDigest() string {
	if f.text == nil {
		return hex.EncodeToString(f.h.Sum(nil))
	}
	return hex.EncodeToString(f.text.Sum(nil))
}

// Close closes the file.
func (f *File) Close() error {
	if f.gz != nil {
		f.gz.Close()
	}
	return f.f.Close()
}

// Interrupt closes the file on disk so that a read blocked in another
// goroutine returns; it is safe to call concurrently with Read.
func (f *File) Interrupt() { f.f.Close() }

// BytesRead returns how many bytes of the file on disk have been read; safe
// to call from another goroutine to show progress.
func (f *File) BytesRead() int64 { return f.n.Load() }

type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// HashFile returns the hex SHA-256 of the file at path.
func HashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
