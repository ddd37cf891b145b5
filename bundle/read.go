// Package bundle reads certificates and private keys in every common format
// (PEM, DER, PKCS#7, PKCS#12), builds the chain from a leaf to a trust anchor
// by verifying signatures, and writes the result in the shape a server needs.
//
// The package never prints, prompts or exits: passwords come through a
// PasswordFunc and results are returned as values and wrapped errors.
package bundle

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
)

// MaxInputSize is the largest input Read accepts (16 MiB).
const MaxInputSize = 16 << 20

// Format names the encoding an input was found in.
type Format string

// The formats Read detects.
const (
	FormatPEM    Format = "pem"
	FormatDER    Format = "der"
	FormatPKCS7  Format = "pkcs7"
	FormatPKCS12 Format = "pkcs12"
)

// Errors callers can test with errors.Is.
var (
	// ErrWrongPassword means the password given does not decrypt the input.
	ErrWrongPassword = errors.New("wrong password")
	// ErrPasswordRequired means the input is encrypted and no password was available.
	ErrPasswordRequired = errors.New("encrypted and no password given")
	// ErrTooLarge means the input is over MaxInputSize.
	ErrTooLarge = fmt.Errorf("larger than %d MiB", MaxInputSize>>20)
	// ErrEmpty means the input holds no bytes at all.
	ErrEmpty = errors.New("empty input")
	// ErrUnrecognized means no known certificate or key format matched.
	ErrUnrecognized = errors.New("not a certificate or key in any known format (PEM, DER, PKCS#7, PKCS#12)")
	// ErrNothingFound means the input parsed but held no certificate and no key.
	ErrNothingFound = errors.New("no certificate or private key found")
	// ErrCertOnlyPFX means a PKCS#12 file holds certificates but no private
	// key and lacks the Java trust marks: go-pkcs12 reads certificate-only
	// files only when each certificate is marked trusted, as Java's keytool
	// and chaintool write them, not as `openssl pkcs12 -export -nokeys` does.
	ErrCertOnlyPFX = errors.New("PKCS#12 file holds certificates but no private key, which chaintool can read only from Java-style trust stores")
)

// PasswordFunc returns the password for the named input. It is called only
// when an input is encrypted. It returns ErrPasswordRequired when no password
// source is available.
type PasswordFunc func(name string) ([]byte, error)

// Contents is everything found in one input.
type Contents struct {
	// Name is the name hint the input was read under.
	Name string
	// Format is the format detected: FormatPKCS12 or FormatPKCS7 for those
	// containers (PKCS#7 in DER, BER, or PEM when every certificate of the
	// file came from PKCS7 blocks and it holds no key, as a .p7b does),
	// otherwise the encoding, FormatPEM or FormatDER.
	Format Format
	// Certs are the certificates in the order they appear.
	Certs []*x509.Certificate
	// Keys are the private keys in the order they appear.
	Keys []crypto.Signer
	// Skipped lists the type of each PEM block that was ignored (CSRs,
	// CRLs, parameters), one entry per block; DescribeSkipped summarises it.
	Skipped []string
}

// Read detects the format of data by its content and returns every
// certificate and private key inside. name is passed to password and kept
// in Contents.Name; password is called at most once, only for encrypted
// inputs, and may be nil.
//
// Text (PEM, or base64 without PEM lines) and binary DER structures are told
// apart by content, never by name. Text in UTF-16 with a byte order mark, as
// some Windows editors save it, is read as well.
func Read(data []byte, name string, password PasswordFunc) (*Contents, error) {
	if len(data) > MaxInputSize {
		return nil, ErrTooLarge
	}
	data = utf16ToUTF8(data)
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, ErrEmpty
	}
	if password == nil {
		password = func(string) ([]byte, error) { return nil, ErrPasswordRequired }
	}
	r := &reader{name: name, password: password, out: &Contents{Name: name}}
	if err := r.read(data); err != nil {
		return nil, err
	}
	if len(r.out.Certs) == 0 && len(r.out.Keys) == 0 {
		if len(r.out.Skipped) > 0 {
			return nil, fmt.Errorf("%w (skipped %s)", ErrNothingFound, DescribeSkipped(r.out.Skipped))
		}
		return nil, ErrNothingFound
	}
	return r.out, nil
}

// read picks the reader by content: PEM text, a DER structure, or bare
// base64 of a DER structure (as some key vaults export PFX files).
func (r *reader) read(data []byte) error {
	switch {
	case looksLikePEM(data):
		err := r.readPEM(data)
		r.out.Format = r.pemFormat()
		return err
	case data[0] == 0x30:
		return r.readDER(data)
	}
	if der, ok := decodeBareBase64(data); ok {
		return r.readDER(der)
	}
	return ErrUnrecognized
}

// ReadFrom reads at most MaxInputSize bytes from rd and calls Read.
func ReadFrom(rd io.Reader, name string, password PasswordFunc) (*Contents, error) {
	data, err := io.ReadAll(io.LimitReader(rd, MaxInputSize+1))
	if err != nil {
		return nil, err
	}
	return Read(data, name, password)
}

// ReadFile reads the named file. Errors are prefixed with the path.
func ReadFile(path string, password PasswordFunc) (*Contents, error) {
	c, err := readFile(path, password)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

func readFile(path string, password PasswordFunc) (*Contents, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, plainPathError(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, plainPathError(err)
	}
	if st.IsDir() {
		return nil, errors.New("is a directory")
	}
	if st.Mode().IsRegular() && st.Size() > MaxInputSize {
		return nil, ErrTooLarge
	}
	return ReadFrom(f, path, password)
}

// plainPathError drops the "open PATH:" prefix of *os.PathError so that the
// caller can prefix the path once, and words the common cases plainly while
// keeping them errors.Is-able (os.ErrNotExist, os.ErrPermission).
func plainPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		if errors.Is(pe.Err, os.ErrNotExist) {
			return &wordedError{"no such file", os.ErrNotExist}
		}
		if errors.Is(pe.Err, os.ErrPermission) {
			return &wordedError{"permission denied", os.ErrPermission}
		}
		return pe.Err
	}
	return err
}

// wordedError is an error with its own wording that still matches err.
type wordedError struct {
	msg string
	err error
}

func (e *wordedError) Error() string { return e.msg }
func (e *wordedError) Unwrap() error { return e.err }

type reader struct {
	name     string
	password PasswordFunc
	pw       []byte // cached once asked
	asked    bool
	out      *Contents

	iterations int64 // key-derivation iterations spent on this input
	pkcs7Certs int   // certificates read from PEM PKCS7 blocks
}

// getPassword asks the callback once per input and caches the answer.
func (r *reader) getPassword() ([]byte, error) {
	if !r.asked {
		pw, err := r.password(r.name)
		if err != nil {
			return nil, err
		}
		r.pw, r.asked = pw, true
	}
	return r.pw, nil
}

// passwordError words a failure to get the password for what ("private
// key", "PKCS#12 file"): "private key is encrypted and no password given".
func passwordError(what string, err error) error {
	if errors.Is(err, ErrPasswordRequired) {
		return fmt.Errorf("%s is %w", what, err)
	}
	return err
}

// recoverParse turns a panic inside a third-party parser into an error, so
// that damaged input never crashes the caller. It is deferred by the
// functions that hand untrusted bytes to such parsers.
func recoverParse(what string, err *error) {
	if v := recover(); v != nil {
		*err = fmt.Errorf("malformed %s (%v)", what, v)
	}
}

func (r *reader) addCerts(certs ...*x509.Certificate) { r.out.Certs = append(r.out.Certs, certs...) }

func (r *reader) addKey(k crypto.PrivateKey) error {
	s, ok := k.(crypto.Signer)
	if !ok {
		return fmt.Errorf("unsupported private key type %T", k)
	}
	r.out.Keys = append(r.out.Keys, s)
	return nil
}
