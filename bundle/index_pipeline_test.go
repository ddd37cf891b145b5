package bundle

import (
	"bytes"
	"encoding/pem"
	"testing"

	"github.com/chaintool/chaintool/internal/testpki"
)

// TestPileReadMixedBlocks reads a PEM stream where blocks that go through
// Read (here TRUSTED CERTIFICATE) come between many plain certificates:
// the certificates Read finds are added while the scanning goroutine is
// still decoding the following blocks into the arena, and every
// certificate must come out of the pile as it went in.
func TestPileReadMixedBlocks(t *testing.T) {
	ca := testpki.NewRoot("Mixed Root")
	var stream bytes.Buffer
	want := map[string]bool{}
	for i := range 600 {
		c := ca.NewLeaf("mixed.example.com")
		want[string(c.DER())] = true
		typ := "CERTIFICATE"
		if i%50 == 0 {
			typ = "TRUSTED CERTIFICATE"
		}
		pem.Encode(&stream, &pem.Block{Type: typ, Bytes: c.DER()})
	}
	p := NewPile()
	if _, err := p.ReadStream(&stream, Origin{Source: SourceInput, Name: "mixed.pem"}, nil); err != nil {
		t.Fatal(err)
	}
	if p.Len() != len(want) {
		t.Fatalf("%d certificates in the pile, want %d", p.Len(), len(want))
	}
	for i := range p.Len() {
		if !want[string(p.der(int32(i)))] {
			t.Fatalf("entry %d holds bytes that are no certificate of the input", i)
		}
	}
}
