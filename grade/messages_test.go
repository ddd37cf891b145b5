package grade

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"golang.org/x/crypto/cryptobyte"
)

// serverHelloBody builds a ServerHello body for tests.
func serverHelloBody(version, suite uint16, random []byte, exts func(b *cryptobyte.Builder)) []byte {
	var b cryptobyte.Builder
	b.AddUint16(version)
	if random == nil {
		random = make([]byte, 32)
	}
	b.AddBytes(random)
	b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(make([]byte, 32)) })
	b.AddUint16(suite)
	b.AddUint8(0)
	if exts != nil {
		b.AddUint16LengthPrefixed(exts)
	}
	return b.BytesOrPanic()
}

func handshakeMsg(typ uint8, body []byte) []byte {
	n := len(body)
	return append([]byte{typ, byte(n >> 16), byte(n >> 8), byte(n)}, body...)
}

func TestParseServerHello(t *testing.T) {
	tls13 := serverHelloBody(VersionTLS12, 0x1301, nil, func(b *cryptobyte.Builder) {
		addExt(b, extSupportedVersions, func(b *cryptobyte.Builder) { b.AddUint16(VersionTLS13) })
		addExt(b, extKeyShare, func(b *cryptobyte.Builder) {
			b.AddUint16(groupX25519)
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(make([]byte, 32)) })
		})
	})
	h, err := parseServerHello(tls13)
	if err != nil || h.negotiatedVersion() != VersionTLS13 || h.suite != 0x1301 || h.group != groupX25519 || h.retry {
		t.Fatalf("TLS 1.3 hello: %+v %v", h, err)
	}
	hrr := serverHelloBody(VersionTLS12, 0x1302, helloRetryRandom, func(b *cryptobyte.Builder) {
		addExt(b, extSupportedVersions, func(b *cryptobyte.Builder) { b.AddUint16(VersionTLS13) })
		addExt(b, extKeyShare, func(b *cryptobyte.Builder) { b.AddUint16(groupP256) })
	})
	if h, err := parseServerHello(hrr); err != nil || !h.retry || h.group != groupP256 {
		t.Fatalf("HelloRetryRequest: %+v %v", h, err)
	}
	tls12 := serverHelloBody(VersionTLS12, 0xC02F, nil, func(b *cryptobyte.Builder) {
		addExt(b, extRenegotiationInfo, func(b *cryptobyte.Builder) { b.AddUint8(0) })
	})
	if h, err := parseServerHello(tls12); err != nil || !h.renegotiation || h.negotiatedVersion() != VersionTLS12 {
		t.Fatalf("TLS 1.2 hello: %+v %v", h, err)
	}
	if h, err := parseServerHello(serverHelloBody(VersionSSL3, 0x000A, nil, nil)); err != nil || h.version != VersionSSL3 || h.renegotiation {
		t.Fatalf("SSL 3.0 hello without extensions: %+v %v", h, err)
	}
	for name, bad := range map[string][]byte{
		"empty":         nil,
		"short":         tls12[:20],
		"trailing":      append(append([]byte{}, tls12...), 0),
		"bad version":   serverHelloBody(0x0202, 0x0001, nil, nil),
		"ext too long":  append(serverHelloBody(VersionTLS12, 1, nil, nil), 0, 9, 0, 1),
		"short version": serverHelloBody(VersionTLS12, 1, nil, func(b *cryptobyte.Builder) { addExt(b, extSupportedVersions, func(*cryptobyte.Builder) {}) }),
	} {
		if _, err := parseServerHello(bad); !errors.Is(err, errGarbage) {
			t.Errorf("%s: err %v, want garbage", name, err)
		}
	}
}

func TestReadFlight(t *testing.T) {
	hello := handshakeMsg(msgServerHello, serverHelloBody(VersionTLS12, 0x009E, nil, nil))
	cert := handshakeMsg(msgCertificate, []byte{0, 0, 5, 0, 0, 2, 0xAA, 0xBB})
	var ske cryptobyte.Builder
	for _, part := range [][]byte{bytes.Repeat([]byte{0xFF}, 128), {2}, {1, 2, 3}} {
		ske.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(part) })
	}
	kx := handshakeMsg(msgServerKeyExchange, ske.BytesOrPanic())
	done := handshakeMsg(msgServerHelloDone, nil)
	all := append(append(append(append([]byte{}, hello...), cert...), kx...), done...)
	// The flight split over records at awkward places.
	stream := append(records(recordHandshake, VersionTLS12, all[:7]), records(recordHandshake, VersionTLS12, all[7:])...)
	f, err := readFlight(bytes.NewReader(stream))
	if err != nil || f.hello == nil || !f.done || len(f.certs) != 1 || f.keyExchange == nil {
		t.Fatalf("flight %+v, err %v", f, err)
	}
	k, err := parseKeyExchange(kxDHE, f.keyExchange)
	if err != nil || k.dhBits != 1024 {
		t.Errorf("DH bits %d, err %v", k.dhBits, err)
	}

	alert := []byte{recordAlert, 3, 3, 0, 2, 2, 40}
	if f, err := readFlight(bytes.NewReader(alert)); err != nil || f.alert == nil || f.alert.String() != "handshake_failure" {
		t.Errorf("alert: %+v %v", f, err)
	}
	for name, bad := range map[string][]byte{
		"http":            []byte("HTTP/1.1 400 Bad Request\r\n\r\n"),
		"ssl2":            {0x80, 0x10, 4},
		"huge record":     {recordHandshake, 3, 3, 0xFF, 0xFF},
		"message first":   records(recordHandshake, VersionTLS12, done),
		"two hellos":      records(recordHandshake, VersionTLS12, append(append([]byte{}, hello...), hello...)),
		"huge message":    records(recordHandshake, VersionTLS12, []byte{msgServerHello, 0x7F, 0, 0}),
		"data first":      {recordApplicationData, 3, 3, 0, 1, 0},
		"bad record vers": {recordHandshake, 9, 9, 0, 0},
	} {
		if _, err := readFlight(bytes.NewReader(bad)); !errors.Is(err, errGarbage) {
			t.Errorf("%s: err %v, want garbage", name, err)
		}
	}
	if _, err := readFlight(bytes.NewReader(stream[:10])); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("truncated: err %v", err)
	}
	if _, err := readFlight(bytes.NewReader(nil)); !errors.Is(err, io.EOF) {
		t.Errorf("closed: err %v", err)
	}
}

func TestParseKeyExchange(t *testing.T) {
	ec := []byte{3, 0, 0x1D, 32}
	if k, err := parseKeyExchange(kxECDHE, ec); err != nil || k.group != groupX25519 {
		t.Errorf("ECDHE: %+v %v", k, err)
	}
	if _, err := parseKeyExchange(kxECDHE, []byte{1, 0}); err == nil {
		t.Error("explicit curve accepted")
	}
	rsa := []byte{0, 2, 0x80, 0, 0, 1, 3}
	if k, err := parseKeyExchange(kxRSA, rsa); err != nil || k.rsaBits != 16 {
		t.Errorf("export RSA: %+v %v", k, err)
	}
	if _, err := parseKeyExchange(kxDHE, []byte{0, 0}); err == nil {
		t.Error("empty DH prime accepted")
	}
	if _, err := parseKeyExchange(kxAny, ec); err == nil {
		t.Error("key exchange for TLS 1.3 accepted")
	}
}

func TestSSL2(t *testing.T) {
	hello := ssl2ClientHello()
	if hello[0]&0x80 == 0 || int(hello[0]&0x7f)<<8|int(hello[1]) != len(hello)-2 || hello[2] != 1 {
		t.Fatalf("client hello % x", hello[:5])
	}
	server := []byte{4, 0, 1, 0, 2, 0, 3, 0, 6, 0, 16, 0xC, 0xE, 0xF, 1, 0, 0x80, 0x07, 0x00, 0xC0}
	server = append(server, make([]byte, 16)...)
	rec := append([]byte{0x80 | byte(len(server)>>8), byte(len(server))}, server...)
	h, err := readSSL2ServerHello(bytes.NewReader(rec))
	if err != nil || h.version != VersionSSL2 || len(h.ciphers) != 2 || h.ciphers[1] != 0x0700C0 {
		t.Fatalf("server hello %+v %v", h, err)
	}
	if _, err := readSSL2ServerHello(bytes.NewReader([]byte{recordAlert, 3, 1, 0, 2})); !errors.Is(err, errNotSSL2) {
		t.Errorf("TLS alert: %v", err)
	}
	if _, err := readSSL2ServerHello(bytes.NewReader([]byte{0x80, 3, 4, 0, 1})); !errors.Is(err, errGarbage) {
		t.Errorf("short: %v", err)
	}
}

func TestClientHelloShape(t *testing.T) {
	sc := &scanner{p: &prober{serverName: "example.com"}}
	for _, h := range []*clientHello{
		sc.legacyHello(VersionSSL3, suitesFor(VersionSSL3)),
		sc.legacyHello(VersionTLS12, suitesFor(VersionTLS12)),
		sc.tls13Hello(suitesFor(VersionTLS13), groupsTLS13, []uint16{groupX25519}),
		clientProfiles[0].hello("example.com"),
	} {
		wire := h.marshal()
		// Every record is a handshake record of the right length, and the
		// message inside is one ClientHello whose length fits.
		var msg []byte
		s := cryptobyte.String(wire)
		for !s.Empty() {
			var typ uint8
			var vers uint16
			var body cryptobyte.String
			if !s.ReadUint8(&typ) || !s.ReadUint16(&vers) || !s.ReadUint16LengthPrefixed(&body) || typ != recordHandshake {
				t.Fatalf("bad record in % x", wire[:8])
			}
			msg = append(msg, body...)
		}
		if msg[0] != 1 || int(msg[1])<<16|int(msg[2])<<8|int(msg[3]) != len(msg)-4 {
			t.Fatalf("bad ClientHello header % x", msg[:4])
		}
		if n := len(msg); n >= 256 && n < 512 {
			t.Errorf("hello of %d bytes: F5 servers choke on 256-511", n)
		}
	}
	if len(suitesFor(VersionTLS13)) != 5 || len(suitesFor(VersionSSL3)) >= len(suitesFor(VersionTLS12)) {
		t.Error("suite lists per protocol")
	}
}
