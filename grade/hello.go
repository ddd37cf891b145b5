package grade

import (
	"crypto/rand"

	"golang.org/x/crypto/cryptobyte"
)

// TLS extension numbers used in client hellos.
const (
	extServerName           uint16 = 0
	extStatusRequest        uint16 = 5
	extSupportedGroups      uint16 = 10
	extECPointFormats       uint16 = 11
	extSignatureAlgorithms  uint16 = 13
	extALPN                 uint16 = 16
	extSCT                  uint16 = 18
	extPadding              uint16 = 21
	extEncryptThenMAC       uint16 = 22
	extExtendedMasterSecret uint16 = 23
	extSessionTicket        uint16 = 35
	extSupportedVersions    uint16 = 43
	extPSKModes             uint16 = 45
	extKeyShare             uint16 = 51
	extRenegotiationInfo    uint16 = 0xFF01
)

const (
	recordChangeCipherSpec uint8 = 20
	recordAlert            uint8 = 21
	recordHandshake        uint8 = 22
	recordApplicationData  uint8 = 23
	recordHeartbeat        uint8 = 24

	maxPlaintext = 16384
)

// sigAlgsAll is every signature scheme a probe accepts, modern first, so
// that no server refuses a probe for want of a signature algorithm.
var sigAlgsAll = []uint16{
	0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806, 0x0809, 0x080A, 0x080B,
	0x0401, 0x0501, 0x0601, 0x0303, 0x0301, 0x0302, 0x0402, 0x0502, 0x0602,
	0x0203, 0x0201, 0x0202, 0x0101,
}

// clientHello is a ClientHello to write. The zero value of a field leaves
// the matching extension out.
type clientHello struct {
	recordVersion uint16
	version       uint16 // legacy_version (client_version)
	sessionID     []byte
	suites        []uint16
	compression   []uint8 // nil means {0}
	serverName    string
	groups        []uint16 // supported_groups
	pointFormats  bool
	sigAlgs       []uint16
	versions      []uint16 // supported_versions
	keyShareExt   bool     // send key_share, with shares for shareGroups
	shareGroups   []uint16
	renegotiation bool // empty renegotiation_info
	alpn          []string
	ems           bool // extended_master_secret
	etm           bool // encrypt_then_mac
	ticket        bool // empty session_ticket
	statusRequest bool
	sct           bool
	pskModes      bool
	noExtensions  bool // SSL 3.0 style: no extension block at all
}

// compatSessionID is a random 32-byte legacy session ID, which TLS 1.3
// hellos send so that middleboxes take them for resumptions (RFC 8446,
// appendix D.4).
func compatSessionID() []byte {
	sid := make([]byte, 32)
	_, _ = rand.Read(sid)
	return sid
}

// marshal returns the hello as TLS records ready to write.
func (h *clientHello) marshal() []byte {
	body := h.body(0)
	// Some servers (F5 and others) choke on hellos of 256-511 bytes; pad
	// them past 512 the way browsers did.
	if n := len(body) + 4; n >= 256 && n < 512 && !h.noExtensions {
		body = h.body(512 - n)
	}
	var msg cryptobyte.Builder
	msg.AddUint8(1) // client_hello
	msg.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(body) })
	return records(recordHandshake, h.recordVersion, msg.BytesOrPanic())
}

// records splits payload into records of at most maxPlaintext bytes.
func records(typ uint8, version uint16, payload []byte) []byte {
	var out []byte
	for len(payload) > 0 {
		n := min(len(payload), maxPlaintext)
		out = append(out, typ, byte(version>>8), byte(version), byte(n>>8), byte(n))
		out = append(out, payload[:n]...)
		payload = payload[n:]
	}
	return out
}

func (h *clientHello) body(padding int) []byte {
	var b cryptobyte.Builder
	b.AddUint16(h.version)
	random := make([]byte, 32)
	_, _ = rand.Read(random)
	b.AddBytes(random)
	b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(h.sessionID) })
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
		for _, s := range h.suites {
			b.AddUint16(s)
		}
	})
	comp := h.compression
	if comp == nil {
		comp = []uint8{0}
	}
	b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(comp) })
	if !h.noExtensions {
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { h.extensions(b, padding) })
	}
	return b.BytesOrPanic()
}

func (h *clientHello) extensions(b *cryptobyte.Builder, padding int) {
	if h.serverName != "" {
		addExt(b, extServerName, func(b *cryptobyte.Builder) {
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
				b.AddUint8(0) // host_name
				b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(h.serverName)) })
			})
		})
	}
	if h.renegotiation {
		addExt(b, extRenegotiationInfo, func(b *cryptobyte.Builder) { b.AddUint8(0) })
	}
	if len(h.groups) > 0 {
		addExt(b, extSupportedGroups, func(b *cryptobyte.Builder) { addUint16List(b, h.groups) })
	}
	if h.pointFormats {
		addExt(b, extECPointFormats, func(b *cryptobyte.Builder) {
			b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddUint8(0) })
		})
	}
	if h.ticket {
		addExt(b, extSessionTicket, func(*cryptobyte.Builder) {})
	}
	if len(h.alpn) > 0 {
		addExt(b, extALPN, func(b *cryptobyte.Builder) {
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
				for _, p := range h.alpn {
					b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(p)) })
				}
			})
		})
	}
	if h.statusRequest {
		addExt(b, extStatusRequest, func(b *cryptobyte.Builder) { b.AddBytes([]byte{1, 0, 0, 0, 0}) })
	}
	if h.etm {
		addExt(b, extEncryptThenMAC, func(*cryptobyte.Builder) {})
	}
	if h.ems {
		addExt(b, extExtendedMasterSecret, func(*cryptobyte.Builder) {})
	}
	if len(h.sigAlgs) > 0 {
		addExt(b, extSignatureAlgorithms, func(b *cryptobyte.Builder) { addUint16List(b, h.sigAlgs) })
	}
	if h.sct {
		addExt(b, extSCT, func(*cryptobyte.Builder) {})
	}
	if h.keyShareExt {
		addExt(b, extKeyShare, func(b *cryptobyte.Builder) {
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
				for _, g := range h.shareGroups {
					share := keyShares()[g]
					if share == nil {
						continue
					}
					b.AddUint16(g)
					b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(share) })
				}
			})
		})
	}
	if h.pskModes {
		addExt(b, extPSKModes, func(b *cryptobyte.Builder) {
			b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddUint8(1) }) // psk_dhe_ke
		})
	}
	if len(h.versions) > 0 {
		addExt(b, extSupportedVersions, func(b *cryptobyte.Builder) {
			b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) {
				for _, v := range h.versions {
					b.AddUint16(v)
				}
			})
		})
	}
	if padding > 0 {
		n := max(padding-4, 1)
		addExt(b, extPadding, func(b *cryptobyte.Builder) { b.AddBytes(make([]byte, n)) })
	}
}

func addExt(b *cryptobyte.Builder, typ uint16, body func(*cryptobyte.Builder)) {
	b.AddUint16(typ)
	b.AddUint16LengthPrefixed(body)
}

func addUint16List(b *cryptobyte.Builder, list []uint16) {
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
		for _, v := range list {
			b.AddUint16(v)
		}
	})
}

// ssl2ClientHello is an SSL 2.0 CLIENT-HELLO offering every SSL 2.0 cipher.
func ssl2ClientHello() []byte {
	specs := make([]byte, 0, 3*len(ssl2Ciphers))
	for _, c := range ssl2Ciphers {
		specs = append(specs, byte(c.ID>>16), byte(c.ID>>8), byte(c.ID))
	}
	challenge := make([]byte, 16)
	_, _ = rand.Read(challenge)
	msg := []byte{1, 0x00, 0x02, byte(len(specs) >> 8), byte(len(specs)), 0, 0, 0, byte(len(challenge))}
	msg = append(msg, specs...)
	msg = append(msg, challenge...)
	return append([]byte{0x80 | byte(len(msg)>>8), byte(len(msg))}, msg...)
}
