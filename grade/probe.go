package grade

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// prober sends hand-written hellos to one endpoint, a bounded number at a
// time, each with its own deadline.
type prober struct {
	addr       string
	serverName string
	timeout    time.Duration
	sem        chan struct{}
	dialer     net.Dialer

	count atomic.Int64 // probes sent

	mu       sync.Mutex
	problems map[string]int // probe failures that were not a clean refusal
}

func newProber(addr, serverName string, timeout time.Duration, concurrency int) *prober {
	return &prober{
		addr: addr, serverName: serverName, timeout: timeout,
		sem:      make(chan struct{}, concurrency),
		dialer:   net.Dialer{Timeout: timeout},
		problems: map[string]int{},
	}
}

// exchange dials, writes hello and lets read consume the reply, all within
// the probe timeout. It holds one slot of the concurrency bound.
func (p *prober) exchange(ctx context.Context, hello []byte, read func(io.Reader) error) error {
	select {
	case p.sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-p.sem }()
	p.count.Add(1)
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	conn, err := p.dialer.DialContext(ctx, "tcp", p.addr)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()
	if _, err := conn.Write(hello); err != nil {
		return err
	}
	return read(bufio.NewReaderSize(conn, 8192))
}

// hello sends a ClientHello and reads the server's first flight.
func (p *prober) hello(ctx context.Context, ch *clientHello) (*flight, error) {
	var f *flight
	err := p.exchange(ctx, ch.marshal(), func(r io.Reader) error {
		var err error
		f, err = readFlight(r)
		return err
	})
	if f == nil {
		f = &flight{}
	}
	return f, err
}

// outcome classifies a probe: accepted (a ServerHello came back), refused
// cleanly (an alert, or the connection closed), or failed (reset, stall,
// garbage), which is noted as a problem of the grade.
func (p *prober) outcome(what string, f *flight, err error) (accepted bool) {
	if f != nil && f.hello != nil {
		return true
	}
	if err == nil || errors.Is(err, io.EOF) || errors.Is(err, context.Canceled) {
		return false
	}
	p.note(what, err)
	return false
}

// note records a probe failure, counting repeats of the same kind.
func (p *prober) note(what string, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.problems[what+": "+describeProbeError(err)]++
}

func describeProbeError(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded), errors.Is(err, context.DeadlineExceeded),
		errors.As(err, &ne) && ne.Timeout():
		return "no answer before the timeout"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed in the middle of a record"
	case errors.Is(err, ErrUnreachable):
		return "cannot connect"
	}
	return err.Error()
}

// isClosed reports a connection the server ended without a word: the usual
// answer of a server to a protocol it does not speak at all.
func isClosed(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET)
}
