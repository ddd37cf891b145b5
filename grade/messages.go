package grade

import (
	"bytes"
	"fmt"
	"io"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
)

// helloRetryRandom is the ServerHello.random that marks a
// HelloRetryRequest (RFC 8446, 4.1.3).
var helloRetryRandom = []byte{
	0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
	0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
}

// serverHello is a parsed ServerHello or HelloRetryRequest.
type serverHello struct {
	version         uint16 // legacy_version
	suite           uint16
	compression     uint8
	selectedVersion uint16 // supported_versions, 0 when absent
	group           uint16 // key_share group (TLS 1.3), 0 when absent
	retry           bool   // a HelloRetryRequest
	renegotiation   bool   // renegotiation_info present
	extensions      []uint16
}

// negotiatedVersion is the version the server chose.
func (h *serverHello) negotiatedVersion() uint16 {
	if h.selectedVersion != 0 {
		return h.selectedVersion
	}
	return h.version
}

func errMalformed(what string) error { return fmt.Errorf("%w: malformed %s", errGarbage, what) }

// parseServerHello parses the body of a ServerHello handshake message.
func parseServerHello(body []byte) (*serverHello, error) {
	s := cryptobyte.String(body)
	h := &serverHello{}
	var random, sessionID []byte
	if !s.ReadUint16(&h.version) || !s.ReadBytes(&random, 32) ||
		!s.ReadUint8LengthPrefixed((*cryptobyte.String)(&sessionID)) ||
		!s.ReadUint16(&h.suite) || !s.ReadUint8(&h.compression) {
		return nil, errMalformed("ServerHello")
	}
	if h.version>>8 != 3 {
		return nil, fmt.Errorf("%w: ServerHello version 0x%04x", errGarbage, h.version)
	}
	h.retry = bytes.Equal(random, helloRetryRandom)
	if s.Empty() {
		return h, nil
	}
	var exts cryptobyte.String
	if !s.ReadUint16LengthPrefixed(&exts) || !s.Empty() {
		return nil, errMalformed("ServerHello extensions")
	}
	for !exts.Empty() {
		var typ uint16
		var data cryptobyte.String
		if !exts.ReadUint16(&typ) || !exts.ReadUint16LengthPrefixed(&data) {
			return nil, errMalformed("ServerHello extension")
		}
		h.extensions = append(h.extensions, typ)
		if err := h.extension(typ, data); err != nil {
			return nil, err
		}
	}
	return h, nil
}

func (h *serverHello) extension(typ uint16, data cryptobyte.String) error {
	switch typ {
	case extSupportedVersions:
		if !data.ReadUint16(&h.selectedVersion) {
			return errMalformed("supported_versions")
		}
	case extKeyShare:
		// A HelloRetryRequest names the group; a ServerHello carries a share.
		if !data.ReadUint16(&h.group) {
			return errMalformed("key_share")
		}
	case extRenegotiationInfo:
		h.renegotiation = true
	}
	return nil
}

// parseCertificateMsg parses a TLS 1.0-1.2 Certificate message.
func parseCertificateMsg(body []byte) ([][]byte, error) {
	s := cryptobyte.String(body)
	var list cryptobyte.String
	if !s.ReadUint24LengthPrefixed(&list) || !s.Empty() {
		return nil, errMalformed("Certificate")
	}
	var certs [][]byte
	for !list.Empty() {
		var c cryptobyte.String
		if !list.ReadUint24LengthPrefixed(&c) || len(c) == 0 {
			return nil, errMalformed("Certificate entry")
		}
		certs = append(certs, c)
	}
	return certs, nil
}

// keyExchange is what a ServerKeyExchange reveals about the ephemeral key.
type keyExchange struct {
	dhBits  int    // DHE: bits of the prime p
	group   uint16 // ECDHE: the named curve
	rsaBits int    // RSA export: the ephemeral modulus
}

// parseKeyExchange parses a ServerKeyExchange body for a suite whose key
// exchange is kx (kxDHE, kxECDHE or kxRSA for export suites). Only the
// parameters are read; the signature that follows is not checked.
func parseKeyExchange(kx string, body []byte) (keyExchange, error) {
	s := cryptobyte.String(body)
	var out keyExchange
	switch kx {
	case kxDHE:
		var p, g, y cryptobyte.String
		if !s.ReadUint16LengthPrefixed(&p) || !s.ReadUint16LengthPrefixed(&g) || !s.ReadUint16LengthPrefixed(&y) || len(p) == 0 {
			return out, errMalformed("DHE ServerKeyExchange")
		}
		out.dhBits = new(big.Int).SetBytes(p).BitLen()
	case kxECDHE:
		var curveType uint8
		if !s.ReadUint8(&curveType) {
			return out, errMalformed("ECDHE ServerKeyExchange")
		}
		if curveType != 3 {
			return out, fmt.Errorf("%w: explicit curve parameters (type %d)", errGarbage, curveType)
		}
		if !s.ReadUint16(&out.group) {
			return out, errMalformed("ECDHE ServerKeyExchange")
		}
	case kxRSA:
		var mod, exp cryptobyte.String
		if !s.ReadUint16LengthPrefixed(&mod) || !s.ReadUint16LengthPrefixed(&exp) || len(mod) == 0 {
			return out, errMalformed("RSA ServerKeyExchange")
		}
		out.rsaBits = new(big.Int).SetBytes(mod).BitLen()
	default:
		return out, fmt.Errorf("%w: unexpected ServerKeyExchange", errGarbage)
	}
	return out, nil
}

// ssl2ServerHello is a parsed SSL 2.0 SERVER-HELLO.
type ssl2ServerHello struct {
	version uint16
	ciphers []uint32
	cert    []byte
}

// readSSL2ServerHello reads an SSL 2.0 record holding a SERVER-HELLO.
func readSSL2ServerHello(r io.Reader) (*ssl2ServerHello, error) {
	var hdr [2]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	if hdr[0]&0x80 == 0 {
		if hdr[0] >= recordChangeCipherSpec && hdr[0] <= recordHeartbeat {
			return nil, errNotSSL2
		}
		return nil, describeGarbage(hdr[0])
	}
	n := int(hdr[0]&0x7f)<<8 | int(hdr[1])
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, noEOF(err)
	}
	return parseSSL2ServerHello(body)
}

// errNotSSL2 means the server answered an SSL 2.0 hello with TLS records:
// it does not speak SSL 2.0.
var errNotSSL2 = fmt.Errorf("answered with TLS")

// parseSSL2ServerHello parses the body of an SSL 2.0 SERVER-HELLO record.
func parseSSL2ServerHello(body []byte) (*ssl2ServerHello, error) {
	s := cryptobyte.String(body)
	var typ, hit, certType uint8
	var certLen, specsLen, idLen uint16
	h := &ssl2ServerHello{}
	if !s.ReadUint8(&typ) {
		return nil, errMalformed("SSL 2.0 message")
	}
	if typ == 0 { // ERROR
		return nil, fmt.Errorf("SSL 2.0 error message")
	}
	if typ != 4 || !s.ReadUint8(&hit) || !s.ReadUint8(&certType) || !s.ReadUint16(&h.version) ||
		!s.ReadUint16(&certLen) || !s.ReadUint16(&specsLen) || !s.ReadUint16(&idLen) {
		return nil, errMalformed("SSL 2.0 SERVER-HELLO")
	}
	var specs []byte
	if !s.ReadBytes(&h.cert, int(certLen)) || !s.ReadBytes(&specs, int(specsLen)) || specsLen%3 != 0 {
		return nil, errMalformed("SSL 2.0 SERVER-HELLO")
	}
	for i := 0; i+2 < len(specs); i += 3 {
		h.ciphers = append(h.ciphers, uint32(specs[i])<<16|uint32(specs[i+1])<<8|uint32(specs[i+2]))
	}
	return h, nil
}
