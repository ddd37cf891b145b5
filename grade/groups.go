package grade

import (
	"crypto/ecdh"
	"crypto/mlkem"
	"crypto/rand"
	"fmt"
	"sync"
)

// Group is a named group (supported_groups / key_share) of the IANA
// registry.
type Group struct {
	ID   uint16
	Name string
	// Bits is the strength as the rating guide counts it: the curve size
	// for EC groups (X25519 = 253), the modulus for finite-field groups, the
	// classical part for hybrids.
	Bits int
	// FFDHE marks finite-field groups (RFC 7919), scored as DH.
	FFDHE bool
	// TLS13Only marks groups that exist only in TLS 1.3 (hybrids, ML-KEM).
	TLS13Only bool
}

var groupTable = []Group{
	{0x11EC, "X25519MLKEM768", 253, false, true},
	{0x11EB, "SecP256r1MLKEM768", 256, false, true},
	{0x11ED, "SecP384r1MLKEM1024", 384, false, true},
	{0x001D, "X25519", 253, false, false},
	{0x0017, "P-256", 256, false, false},
	{0x0018, "P-384", 384, false, false},
	{0x0019, "P-521", 521, false, false},
	{0x001E, "X448", 448, false, false},
	{0x001A, "brainpoolP256r1", 256, false, false},
	{0x001B, "brainpoolP384r1", 384, false, false},
	{0x001C, "brainpoolP512r1", 512, false, false},
	{0x0016, "secp256k1", 256, false, false},
	{0x0015, "secp224r1", 224, false, false},
	{0x0013, "secp192r1", 192, false, false},
	{0x0100, "ffdhe2048", 2048, true, false},
	{0x0101, "ffdhe3072", 3072, true, false},
	{0x0102, "ffdhe4096", 4096, true, false},
	{0x0103, "ffdhe6144", 6144, true, false},
	{0x0104, "ffdhe8192", 8192, true, false},
	{0x001F, "brainpoolP256r1tls13", 256, false, true},
	{0x0020, "brainpoolP384r1tls13", 384, false, true},
	{0x0021, "brainpoolP512r1tls13", 512, false, true},
}

// Group ids used by name.
const (
	groupX25519MLKEM768 uint16 = 0x11EC
	groupX25519         uint16 = 0x001D
	groupP256           uint16 = 0x0017
	groupP384           uint16 = 0x0018
	groupP521           uint16 = 0x0019
)

var groupByID = func() map[uint16]Group {
	m := map[uint16]Group{}
	for _, g := range groupTable {
		m[g.ID] = g
	}
	return m
}()

// LookupGroup returns the named group with id, or a placeholder.
func LookupGroup(id uint16) Group {
	if g, ok := groupByID[id]; ok {
		return g
	}
	return Group{ID: id, Name: fmt.Sprintf("0x%04X", id)}
}

// ecGroupsTLS12 are the curves offered in TLS 1.0-1.2 probes, strong first.
var ecGroupsTLS12 = []uint16{
	0x001D, 0x0017, 0x0018, 0x0019, 0x001E, 0x001A, 0x001B, 0x001C, 0x0016, 0x0015, 0x0013,
}

// groupsTLS13 are the groups tried one by one in TLS 1.3.
var groupsTLS13 = []uint16{
	0x11EC, 0x11EB, 0x11ED, 0x001D, 0x0017, 0x0018, 0x0019, 0x001E,
	0x001F, 0x0020, 0x0021, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104,
}

// keyShares holds one real key share per group the simulated clients send,
// made once per process: the server checks them, so they must be valid.
var keyShares = sync.OnceValue(func() map[uint16][]byte {
	m := map[uint16][]byte{}
	x, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	m[groupX25519] = x.PublicKey().Bytes()
	for id, c := range map[uint16]ecdh.Curve{groupP256: ecdh.P256(), groupP384: ecdh.P384(), groupP521: ecdh.P521()} {
		k, err := c.GenerateKey(rand.Reader)
		if err != nil {
			panic(err)
		}
		m[id] = k.PublicKey().Bytes()
	}
	dk, err := mlkem.GenerateKey768()
	if err != nil {
		panic(err)
	}
	// X25519MLKEM768: the ML-KEM encapsulation key, then the X25519 share.
	m[groupX25519MLKEM768] = append(dk.EncapsulationKey().Bytes(), m[groupX25519]...)
	return m
})
