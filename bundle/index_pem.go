package bundle

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// pemBlock is one PEM block as found in the stream. Its slices are valid
// until the scanner's next call.
type pemBlock struct {
	typ  []byte
	body []byte // between the BEGIN line and the END line
	text []byte // the whole block, BEGIN line to END line
}

// pemScanner finds PEM blocks in a stream while holding only a window of
// it, so that a pile's memory is its DER, not its PEM text.
type pemScanner struct {
	r     io.Reader
	buf   []byte // buf[start:] is read but not yet consumed
	start int
	eof   bool
	lines int // newlines before buf[0]
}

// next returns the next block; ok is false at the end of the stream.
func (s *pemScanner) next() (blk pemBlock, ok bool, err error) {
	for {
		data := s.buf[s.start:]
		i := bytes.Index(data, pemBegin)
		if i < 0 {
			if s.eof {
				return blk, false, nil
			}
			s.start += max(0, len(data)-len(pemBegin)+1) // keep a possible partial marker
			if err := s.fill(); err != nil {
				return blk, false, err
			}
			continue
		}
		s.start += i
		data = s.buf[s.start:]
		end, whole := blockEnd(data, s.eof)
		if !whole {
			return blk, false, s.damaged()
		}
		if end < 0 {
			if err := s.fill(); err != nil {
				return blk, false, err
			}
			continue
		}
		if blk, ok = splitBlock(data[:end]); !ok {
			return blk, false, s.damaged()
		}
		s.start += end
		return blk, true, nil
	}
}

// blockEnd returns the index just past the END line of the block that
// data starts with, -1 when more data is needed, or false when the block is
// cut short by another BEGIN or the end of the stream.
func blockEnd(data []byte, eof bool) (int, bool) {
	endAt := markerAfter(data)
	if endAt < 0 {
		if eof {
			return 0, false
		}
		return -1, true
	}
	if !bytes.HasPrefix(data[endAt:], pemEnd) {
		return 0, false // another BEGIN first
	}
	nl := bytes.IndexByte(data[endAt:], '\n')
	if nl < 0 {
		if !eof {
			return -1, true
		}
		return len(data), true
	}
	return endAt + nl + 1, true
}

// markerAfter returns where the first BEGIN or END marker after the BEGIN
// line of data starts, or -1. Base64 holds no '-', so the next '-' after
// the first line is a marker unless the block has headers (DEK-Info:
// DES-EDE3-CBC), which the slower search handles.
func markerAfter(data []byte) int {
	from := bytes.IndexByte(data, '\n')
	if from < 0 {
		return -1
	}
	for from < len(data) {
		i := bytes.IndexByte(data[from:], '-')
		if i < 0 {
			return -1
		}
		at := from + i
		rest := data[at:]
		if bytes.HasPrefix(rest, pemEnd) || bytes.HasPrefix(rest, pemBegin) {
			return at
		}
		if len(rest) < len(pemBegin) && (bytes.HasPrefix(pemEnd, rest) || bytes.HasPrefix(pemBegin, rest)) {
			return -1 // a marker cut by the window: read more
		}
		from = at + 1
	}
	return -1
}

// splitBlock reads the type from the BEGIN line and checks that the END
// line names the same type.
func splitBlock(text []byte) (pemBlock, bool) {
	nl := bytes.IndexByte(text, '\n')
	if nl < 0 {
		return pemBlock{}, false
	}
	begin := bytes.TrimRight(text[:nl], " \t\r")
	typ, ok := bytes.CutPrefix(begin, pemBegin)
	if !ok {
		return pemBlock{}, false
	}
	if typ, ok = bytes.CutSuffix(typ, dashes); !ok {
		return pemBlock{}, false
	}
	endAt := bytes.LastIndex(text, pemEnd)
	end := bytes.TrimRight(text[endAt+len(pemEnd):], " \t\r\n")
	if endTyp, ok := bytes.CutSuffix(end, dashes); !ok || !bytes.Equal(endTyp, typ) {
		return pemBlock{}, false
	}
	return pemBlock{typ: typ, body: text[nl+1 : endAt], text: text}, true
}

var dashes = []byte("-----")

const maxPEMBlock = MaxInputSize

// fill reads more of the stream, dropping what was consumed and growing
// the window when one block does not fit.
func (s *pemScanner) fill() error {
	s.lines += bytes.Count(s.buf[:s.start], []byte{'\n'})
	n := copy(s.buf, s.buf[s.start:])
	s.buf, s.start = s.buf[:n], 0
	if len(s.buf) == cap(s.buf) {
		if cap(s.buf) >= maxPEMBlock {
			return fmt.Errorf("PEM block at line %d is larger than %d MiB", s.line(), maxPEMBlock>>20)
		}
		grown := make([]byte, len(s.buf), 2*cap(s.buf))
		copy(grown, s.buf)
		s.buf = grown
	}
	for {
		m, err := s.r.Read(s.buf[len(s.buf):cap(s.buf)])
		s.buf = s.buf[:len(s.buf)+m]
		if errors.Is(err, io.EOF) {
			s.eof = true
			return nil
		}
		if err != nil {
			return err
		}
		if m > 0 {
			return nil
		}
	}
}

// line is the line number of the unconsumed data's start.
func (s *pemScanner) line() int { return 1 + s.lines + bytes.Count(s.buf[:s.start], []byte{'\n'}) }

func (s *pemScanner) damaged() error {
	return fmt.Errorf("PEM block at line %d is truncated or its base64 is damaged", s.line())
}
