package bundle

import "sync"

// ref locates bytes in the arena.
type ref struct {
	chunk    int32
	off, len uint32
}

// arena holds the pile's DER in large chunks, so that many small
// certificates cost one allocation per MiB, and whole input buffers can be
// adopted without a copy.
//
// One goroutine allocates while others may read what was handed out
// before or adopt buffers: chunks are full-length slices that never change
// once added, the list of chunks is guarded by mu, and only the allocating
// goroutine touches cur, curIdx and used.
type arena struct {
	mu     sync.Mutex
	chunks [][]byte
	cur    []byte // the chunk alloc takes from, nil before the first
	curIdx int32  // its index in chunks
	used   int    // bytes of cur handed out
}

const arenaChunk = 1 << 20

// alloc returns n bytes to fill and their location.
func (a *arena) alloc(n int) ([]byte, ref) {
	if a.cur == nil || len(a.cur)-a.used < n {
		a.cur, a.used = make([]byte, max(arenaChunk, n)), 0
		a.curIdx = a.adopt(a.cur)
	}
	start := a.used
	a.used += n
	return a.cur[start : start+n : start+n], ref{chunk: a.curIdx, off: uint32(start), len: uint32(n)}
}

// release gives back the last n bytes of the latest allocation.
func (a *arena) release(n int) { a.used -= n }

// adopt keeps b, which the caller no longer changes, as a chunk of its own.
func (a *arena) adopt(b []byte) int32 {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.chunks = append(a.chunks, b)
	return int32(len(a.chunks) - 1)
}

func (a *arena) bytes(r ref) []byte {
	a.mu.Lock()
	c := a.chunks[r.chunk]
	a.mu.Unlock()
	return c[r.off : r.off+r.len : r.off+r.len]
}
