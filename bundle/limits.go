package bundle

import (
	"bytes"
	"errors"
	"fmt"
)

// Limits on the work one input can make Read do. The libraries Read hands
// bytes to trust their input's shape and cost: smallstep/pkcs7 converts BER
// to DER by recursion (one Go stack frame per level, and a deep enough
// nesting crashes the process), and go-pkcs12 runs as many key-derivation
// iterations as a file asks for, anew on every decode (chaintool's own
// PBES2 decryption would too). Read checks both before it calls them,
// and charges every decode of a PKCS#12 file (the try with the empty
// password, the one with the password, a trust-store read) to the limit.
const (
	// MaxNestingDepth is how deeply the ASN.1 elements of a PKCS#7 input
	// may nest. Real .p7b and .p7c files nest about a dozen levels.
	MaxNestingDepth = 32

	// MaxPKCS7Elements is how many ASN.1 elements a PKCS#7 input may hold
	// (about 55 per certificate, so some 9,000 certificates). The BER
	// conversion keeps about 140 bytes per element in memory.
	MaxPKCS7Elements = 500_000

	// MaxKDFIterations is the most password key-derivation iterations
	// (PBKDF2 and the PKCS#12 KDF) one input may ask for, summed over its
	// encrypted keys, PKCS#12 MAC and encrypted PKCS#12 parts, and over
	// every decode of a PKCS#12 file. OpenSSL 3
	// writes 2048 per part, Windows 2000, Java 10,000, go.step.sm/crypto
	// 600,000 per key; ten million takes a few seconds to derive.
	MaxKDFIterations = 10_000_000
)

// maxBERScan bounds the bytes smallstep/pkcs7 scans for end-of-contents
// markers: after each part of an indefinite-length element it searches the
// rest of the input for the next two zero bytes, which makes an element
// with many parts and few zeros quadratic. A gigabyte takes about 0.1 s.
const maxBERScan = 1 << 30

var (
	// ErrTooDeep means a PKCS#7 input nests more than MaxNestingDepth levels.
	ErrTooDeep = fmt.Errorf("PKCS#7 structure nested too deeply (more than %d levels)", MaxNestingDepth)
	// ErrTooManyElements means a PKCS#7 input holds more than
	// MaxPKCS7Elements elements, or so many parts in elements of
	// indefinite length that converting it would take minutes.
	ErrTooManyElements = fmt.Errorf("PKCS#7 structure has too many elements (more than %d, or too many in an element of indefinite length)", MaxPKCS7Elements)
	// ErrTooManyIterations means decrypting an input would take more than
	// MaxKDFIterations key-derivation iterations.
	ErrTooManyIterations = errors.New("too many key-derivation iterations")
)

// errOverlap means a BER element runs past the end of the one holding it.
var errOverlap = errors.New("malformed PKCS#7: an element runs past the end of the one holding it")

// checkBER walks the tag and length headers of the BER element at the
// start of data the way smallstep/pkcs7's BER-to-DER conversion does, with
// a stack instead of recursion, and refuses it before the conversion when
// it nests more than MaxNestingDepth levels (ErrTooDeep), holds more than
// MaxPKCS7Elements elements, or would make the conversion scan more than
// maxBERScan bytes for end-of-contents markers (ErrTooManyElements). An
// element that runs past the end of its parent is refused too: BER never
// has one, and the library would parse the overlapping bytes again. Where
// the header walk fails the library fails too, and is left to say so.
func checkBER(data []byte) error {
	type open struct {
		end        int // where a definite-length element's contents end
		indefinite bool
	}
	var stack []open
	off, elements, scanned := 0, 0, 0
	zeros := -1 // offset of the next two zero bytes at or after off; len(data) for none
	for {
		h, ok := readBERHeader(data, off)
		if !ok {
			return nil
		}
		if elements++; elements > MaxPKCS7Elements {
			return ErrTooManyElements
		}
		off = h.contentEnd
		if h.constructed {
			if len(stack) == MaxNestingDepth {
				return ErrTooDeep
			}
			if h.indefinite || h.contentStart < h.contentEnd {
				stack = append(stack, open{h.contentEnd, h.indefinite})
				off = h.contentStart
				continue // read its first child
			}
		}
		// The element just read ends at off: close each parent it ends.
		for {
			if len(stack) == 0 {
				return nil
			}
			top := stack[len(stack)-1]
			if top.indefinite {
				// The library looks for the marker with bytes.Index from off.
				if zeros < off {
					zeros = len(data)
					if i := bytes.Index(data[off:], []byte{0, 0}); i >= 0 {
						zeros = off + i
					}
				}
				if scanned += zeros - off; scanned > maxBERScan {
					return ErrTooManyElements
				}
			}
			switch {
			case top.indefinite && len(data)-off < 2:
				return nil
			case top.indefinite && (data[off] != 0 || data[off+1] != 0):
				// Not the end-of-contents marker: another child follows.
			case top.indefinite:
				off += 2
				stack = stack[:len(stack)-1]
				continue
			case off > top.end:
				return errOverlap
			case off == top.end:
				stack = stack[:len(stack)-1]
				continue
			}
			break
		}
	}
}

// berHeader is what the tag and length of one BER element say.
type berHeader struct {
	constructed  bool
	indefinite   bool
	contentStart int
	contentEnd   int // contentStart for indefinite lengths
}

// readBERHeader reads the header at off with the same rules (and the same
// failures) as smallstep/pkcs7's readObject.
func readBERHeader(data []byte, off int) (berHeader, bool) {
	n := len(data)
	if off+1 >= n {
		return berHeader{}, false
	}
	first := data[off]
	off++
	if first&0x1f == 0x1f { // tag number in the following bytes
		for data[off] >= 0x80 {
			if off++; off >= n {
				return berHeader{}, false
			}
		}
		if off++; off >= n {
			return berHeader{}, false
		}
	}
	h := berHeader{constructed: first&0x20 != 0}
	l := data[off]
	off++
	length := 0
	switch {
	case l == 0x80:
		h.indefinite = true
	case l > 0x80:
		size := int(l & 0x7f)
		if size > 4 || off+size > n || data[off] == 0 || (size == 4 && data[off] > 0x7f) {
			return berHeader{}, false
		}
		for _, b := range data[off : off+size] {
			length = length<<8 | int(b)
		}
		off += size
	default:
		length = int(l)
	}
	if off+length > n || (h.indefinite && !h.constructed) {
		return berHeader{}, false
	}
	h.contentStart, h.contentEnd = off, off+length
	return h, true
}
