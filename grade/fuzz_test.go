package grade

import (
	"bytes"
	"testing"
)

// The fuzz targets feed any byte string a server might send to the
// parsers: none may panic, hang or allocate without bound. Seeds are in
// testdata/fuzz/<target>/ (real replies of the test nginx, captured by
// `go test ./grade -run TestFuzzSeeds -capture-seeds`, see seeds_test.go)
// plus the cases below.

func FuzzReadFlight(f *testing.F) {
	f.Add([]byte{recordAlert, 3, 3, 0, 2, 2, 40})
	f.Add(records(recordHandshake, VersionTLS12, handshakeMsg(msgServerHello, serverHelloBody(VersionTLS12, 0xC02F, nil, nil))))
	f.Add([]byte("HTTP/1.1 400 Bad Request\r\n\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fl, err := readFlight(bytes.NewReader(data))
		if fl == nil {
			t.Fatal("nil flight")
		}
		if err == nil && fl.hello == nil && fl.alert == nil {
			t.Fatal("no error, no hello, no alert")
		}
		if fl.hello != nil && fl.keyExchange != nil {
			s, _ := LookupSuite(fl.hello.suite)
			_, _ = parseKeyExchange(s.Kx, fl.keyExchange)
		}
	})
}

func FuzzParseServerHello(f *testing.F) {
	f.Add(serverHelloBody(VersionTLS12, 0x1301, helloRetryRandom, nil))
	f.Add(serverHelloBody(VersionSSL3, 0x000A, nil, nil))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := parseServerHello(data)
		if (h == nil) == (err == nil) {
			t.Fatalf("hello %v with error %v", h, err)
		}
	})
}

func FuzzParseKeyExchange(f *testing.F) {
	f.Add(uint8(0), []byte{0, 1, 0xFF, 0, 1, 2, 0, 1, 3})
	f.Add(uint8(1), []byte{3, 0, 0x1D, 32})
	f.Add(uint8(2), []byte{0, 2, 0x80, 0, 0, 1, 3})
	f.Fuzz(func(t *testing.T, kind uint8, data []byte) {
		kx := []string{kxDHE, kxECDHE, kxRSA, kxAny}[int(kind)%4]
		k, err := parseKeyExchange(kx, data)
		if err == nil && k.dhBits > 8*len(data) {
			t.Fatalf("%d DH bits from %d bytes", k.dhBits, len(data))
		}
	})
}

func FuzzSSL2ServerHello(f *testing.F) {
	f.Add([]byte{0x80, 3, 4, 0, 1})
	f.Add([]byte{recordAlert, 3, 1, 0, 2, 2, 40})
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := readSSL2ServerHello(bytes.NewReader(data))
		if err == nil && len(h.ciphers)*3 > len(data) {
			t.Fatalf("%d ciphers from %d bytes", len(h.ciphers), len(data))
		}
	})
}
