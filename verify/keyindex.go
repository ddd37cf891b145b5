package verify

import (
	"bytes"
	"crypto/x509"
	"hash/maphash"
)

// keyIndex finds nodes by a name and a key identifier: candidate issuers
// by subject and subject key ID, given certificates by issuer and
// authority key ID. A certificate's authority key ID names its issuer's
// subject key ID, so among the certificates with the right name those
// whose key ID matches (or who have none) are the likely ones; the others
// contradict it. Buckets are keyed by hashes (no copy of the names) and
// checked against the bytes.
type keyIndex struct {
	nameOf, kidOf func(*x509.Certificate) []byte

	seed   maphash.Seed
	nodes  []node
	byName map[uint64][]int32
	byKID  map[uint64][]int32 // by name and key ID
	noKID  map[uint64][]int32 // by name, nodes without a key ID
	byKey  map[uint64][]int32 // by name and public key
}

// Names and key IDs for the two kinds of keyIndex.
var (
	subjectKeyID   = [2]func(*x509.Certificate) []byte{rawSubject, func(c *x509.Certificate) []byte { return c.SubjectKeyId }}
	authorityKeyID = [2]func(*x509.Certificate) []byte{rawIssuer, func(c *x509.Certificate) []byte { return c.AuthorityKeyId }}
)

func rawSubject(c *x509.Certificate) []byte { return c.RawSubject }
func rawIssuer(c *x509.Certificate) []byte  { return c.RawIssuer }

func newKeyIndex(by [2]func(*x509.Certificate) []byte, size int) keyIndex {
	return keyIndex{nameOf: by[0], kidOf: by[1], seed: maphash.MakeSeed(), nodes: make([]node, 0, size),
		byName: make(map[uint64][]int32, size), byKID: make(map[uint64][]int32, size), noKID: map[uint64][]int32{},
		byKey: make(map[uint64][]int32, size)}
}

func (x *keyIndex) add(n node) {
	i := int32(len(x.nodes))
	x.nodes = append(x.nodes, n)
	name, kid := x.nameOf(n.cert), x.kidOf(n.cert)
	h := maphash.Bytes(x.seed, name)
	x.byName[h] = append(x.byName[h], i)
	hs := x.hashKID(name, n.cert.RawSubjectPublicKeyInfo)
	x.byKey[hs] = append(x.byKey[hs], i)
	if len(kid) == 0 {
		x.noKID[h] = append(x.noKID[h], i)
		return
	}
	hk := x.hashKID(name, kid)
	x.byKID[hk] = append(x.byKID[hk], i)
}

// hashKID hashes a name (DER, so self-delimiting) followed by a key ID or
// a public key.
func (x *keyIndex) hashKID(name, kid []byte) uint64 {
	var h maphash.Hash
	h.SetSeed(x.seed)
	h.Write(name)
	h.Write(kid)
	return h.Sum64()
}

// eachLikely calls f on the nodes named name whose key ID is kid or who
// have none (all of them when kid is empty) until f returns false.
func (x *keyIndex) eachLikely(name, kid []byte, f func(node) bool) {
	h := maphash.Bytes(x.seed, name)
	if len(kid) == 0 {
		x.each(x.byName[h], name, nil, f)
		return
	}
	if x.each(x.byKID[x.hashKID(name, kid)], name, kid, f) {
		x.each(x.noKID[h], name, nil, f)
	}
}

// eachSameKey calls f on the nodes named name with the public key spki
// until f returns false.
func (x *keyIndex) eachSameKey(name, spki []byte, f func(node) bool) {
	for _, i := range x.byKey[x.hashKID(name, spki)] {
		n := x.nodes[i]
		if bytes.Equal(x.nameOf(n.cert), name) && bytes.Equal(n.cert.RawSubjectPublicKeyInfo, spki) && !f(n) {
			return
		}
	}
}

// eachOther calls f on the nodes named name whose key ID contradicts kid
// until f returns false.
func (x *keyIndex) eachOther(name, kid []byte, f func(node) bool) {
	if len(kid) == 0 {
		return
	}
	for _, i := range x.byName[maphash.Bytes(x.seed, name)] {
		n := x.nodes[i]
		other := x.kidOf(n.cert)
		if len(other) > 0 && !bytes.Equal(other, kid) && bytes.Equal(x.nameOf(n.cert), name) && !f(n) {
			return
		}
	}
}

// each calls f on the nodes of a bucket that have name (and key ID kid,
// unless nil) until f returns false, and reports whether it never did.
func (x *keyIndex) each(bucket []int32, name, kid []byte, f func(node) bool) bool {
	for _, i := range bucket {
		n := x.nodes[i]
		if !bytes.Equal(x.nameOf(n.cert), name) || kid != nil && !bytes.Equal(x.kidOf(n.cert), kid) {
			continue // another name with the same hash
		}
		if !f(n) {
			return false
		}
	}
	return true
}

// each calls f on nodes until it returns false, and reports whether it
// never did.
func each(nodes []node, f func(node) bool) bool {
	for _, n := range nodes {
		if !f(n) {
			return false
		}
	}
	return true
}
