package bundle

import (
	"bufio"
	"crypto"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
)

// certBlockTypes are the PEM types read without Read's full parse.
var certBlockTypes = []string{"CERTIFICATE", "X509 CERTIFICATE", "X.509 CERTIFICATE"}

// pemItem is one PEM block, decoded by the scanning goroutine for the
// indexing one.
type pemItem struct {
	n       int    // block number, from 1
	certTyp int    // index in certBlockTypes, -1 for other blocks
	typ     string // other blocks: their type
	der     []byte // certificates: the DER, in the arena
	at      ref
	text    []byte // other blocks: a copy of the whole block
	err     error  // certificates: why the block does not decode
}

// pemBatch is sent between the goroutines; a scanner error ends the stream.
type pemBatch struct {
	items []pemItem
	err   error
}

const pemBatchSize = 128

// readPEM streams PEM blocks in two stages that run side by side: one
// goroutine finds blocks and decodes certificates' base64 into the arena,
// the calling one indexes them (and reads other blocks, such as keys, with
// Read) in order. Errors name the block as Read's do.
func (p *Pile) readPEM(br *bufio.Reader, o Origin, password PasswordFunc) ([]crypto.Signer, error) {
	batches := make(chan pemBatch, 4)
	done := make(chan struct{})
	go p.scanPEM(&pemScanner{r: br, buf: make([]byte, 0, 256<<10)}, batches, done)
	defer func() {
		close(done)
		for range batches { // wait for the scanner to stop touching the arena
		}
	}()
	origin := p.origin(o)
	var keys []crypto.Signer
	found, certs := false, 0
	for batch := range batches {
		if batch.err != nil {
			return nil, batch.err
		}
		for i := range batch.items {
			it := &batch.items[i]
			found = true
			got, nc, err := p.addItem(it, o, origin, password)
			if err != nil {
				return nil, err
			}
			keys, certs = append(keys, got...), certs+nc
		}
	}
	if !found {
		return nil, ErrUnrecognized
	}
	if len(keys) == 0 && certs == 0 {
		return nil, ErrNothingFound
	}
	return keys, nil
}

// addItem indexes one decoded block and returns its keys and how many
// certificates it held.
func (p *Pile) addItem(it *pemItem, o Origin, origin int32, password PasswordFunc) ([]crypto.Signer, int, error) {
	if it.certTyp >= 0 {
		err := it.err
		if err == nil {
			if _, err = p.add(it.der, origin, func() ref { return it.at }); err != nil {
				err = certificateError(it.der, err)
			}
		}
		if err != nil {
			return nil, 0, fmt.Errorf("PEM block %d (%s): %w", it.n, certBlockTypes[it.certTyp], err)
		}
		return nil, 1, nil
	}
	keys, nc, err := p.addContents(it.text, o, password)
	switch {
	case errors.Is(err, ErrNothingFound):
		return nil, 0, nil
	case err != nil:
		if inner := errors.Unwrap(err); inner != nil {
			err = inner
		}
		return nil, 0, fmt.Errorf("PEM block %d (%s): %w", it.n, it.typ, err)
	}
	return keys, nc, nil
}

// scanPEM finds the blocks and decodes certificates, sending them in
// batches until the stream ends, fails, or done is closed. It closes out.
func (p *Pile) scanPEM(sc *pemScanner, out chan<- pemBatch, done <-chan struct{}) {
	defer close(out)
	send := func(b pemBatch) bool {
		select {
		case out <- b:
			return true
		case <-done:
			return false
		}
	}
	items := make([]pemItem, 0, pemBatchSize)
	for n := 1; ; n++ {
		blk, ok, err := sc.next()
		if err != nil || !ok {
			if len(items) > 0 && !send(pemBatch{items: items}) {
				return
			}
			if err != nil {
				send(pemBatch{err: err})
			}
			return
		}
		items = append(items, p.decodeBlock(n, &blk))
		if len(items) == pemBatchSize {
			if !send(pemBatch{items: items}) {
				return
			}
			items = make([]pemItem, 0, pemBatchSize)
		}
	}
}

// decodeBlock decodes a certificate's base64 into the arena, or copies any
// other block out of the scanner's window.
func (p *Pile) decodeBlock(n int, blk *pemBlock) pemItem {
	it := pemItem{n: n, certTyp: -1}
	for i, t := range certBlockTypes {
		if string(blk.typ) == t {
			it.certTyp = i
		}
	}
	if it.certTyp < 0 {
		it.typ, it.text = string(blk.typ), append([]byte(nil), blk.text...)
		return it
	}
	der, r := p.arena.alloc(base64.StdEncoding.DecodedLen(len(blk.body)))
	n, err := base64.StdEncoding.Decode(der, blk.body)
	if err != nil {
		// Spaces, tabs or headers: let encoding/pem sort it out.
		b, _ := pem.Decode(blk.text)
		if b == nil || len(b.Bytes) > len(der) {
			p.arena.release(len(der))
			it.err = errors.New("base64 is damaged")
			return it
		}
		n = copy(der, b.Bytes)
	}
	p.arena.release(len(der) - n)
	r.len = uint32(n)
	it.der, it.at = der[:n:n], r
	return it
}
