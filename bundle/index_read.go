package bundle

import (
	"bufio"
	"bytes"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// ReadFile adds every certificate in the named file (any format Read
// accepts) to the pile, with the given source and the path as its name, and
// returns the private keys found. Errors are prefixed with the path.
func (p *Pile) ReadFile(path string, src Source, password PasswordFunc) ([]crypto.Signer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, plainPathError(err))
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, plainPathError(err))
	}
	if st.IsDir() {
		return nil, fmt.Errorf("%s: is a directory", path)
	}
	keys, err := p.ReadStream(f, Origin{Source: src, Name: path}, password)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return keys, nil
}

// ReadStream adds every certificate read from r to the pile and returns the
// private keys found. PEM is streamed and certificates are kept as DER
// without a full parse, so inputs of up to MaxPileSize of certificates are
// accepted; anything else (keys, PKCS#7, PKCS#12) goes through Read, with
// its MaxInputSize limit. Errors are those of Read.
func (p *Pile) ReadStream(r io.Reader, o Origin, password PasswordFunc) ([]crypto.Signer, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(64 << 10)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, err
	}
	if len(bytes.TrimSpace(head)) == 0 && len(head) < 64<<10 {
		return nil, ErrEmpty
	}
	if head[0] == 0x30 {
		data, err := io.ReadAll(io.LimitReader(br, MaxPileSize+1))
		if err != nil {
			return nil, err
		}
		if len(data) > MaxPileSize {
			return nil, ErrTooLarge
		}
		if !looksLikePEM(data) {
			return p.readDER(data, o, password)
		}
		br = bufio.NewReader(bytes.NewReader(data))
	}
	return p.readPEM(br, o, password)
}

// Read adds every certificate in data to the pile and returns the private
// keys found, as ReadFrom does. The pile may keep references into data.
func (p *Pile) Read(data []byte, o Origin, password PasswordFunc) ([]crypto.Signer, error) {
	return p.ReadStream(bytes.NewReader(data), o, password)
}

// readDER adds concatenated DER certificates without parsing them, and
// hands any other DER structure to Read.
func (p *Pile) readDER(data []byte, o Origin, password PasswordFunc) ([]crypto.Signer, error) {
	if sniffDER(data) != derCertificate {
		if len(data) > MaxInputSize {
			return nil, ErrTooLarge
		}
		keys, _, err := p.addContents(data, o, password)
		return keys, err
	}
	origin := p.origin(o)
	chunk := p.arena.adopt(data)
	s := cryptobyte.String(data)
	for n := 1; !s.Empty(); n++ {
		off := len(data) - len(s)
		var raw cryptobyte.String
		if !s.ReadASN1Element(&raw, cbasn1.SEQUENCE) {
			return nil, fmt.Errorf("DER certificate followed by %d unexpected trailing bytes", len(s))
		}
		at := ref{chunk: chunk, off: uint32(off), len: uint32(len(raw))}
		if _, err := p.add(raw, origin, func() ref { return at }); err != nil {
			if n > 1 && errors.Is(err, errNotCertificate) {
				return nil, fmt.Errorf("DER certificate followed by %d bytes that are not a certificate", len(raw)+len(s))
			}
			return nil, certificateError(raw, err)
		}
	}
	return nil, nil
}

// certificateError explains why raw was refused, in crypto/x509's words
// when it has some.
func certificateError(raw []byte, err error) error {
	if !errors.Is(err, errNotCertificate) {
		return err
	}
	if _, perr := x509.ParseCertificate(raw); perr != nil {
		return cleanX509Error(perr)
	}
	return errors.New("invalid certificate: malformed DER structure")
}

// addContents reads data with Read, adds the certificates and returns the
// keys and how many certificates there were.
func (p *Pile) addContents(data []byte, o Origin, password PasswordFunc) ([]crypto.Signer, int, error) {
	c, err := Read(data, o.Name, password)
	if err != nil {
		return nil, 0, err
	}
	for _, cert := range c.Certs {
		if err := p.AddCertificate(cert, o); err != nil {
			return nil, 0, err
		}
	}
	return c.Keys, len(c.Certs), nil
}
