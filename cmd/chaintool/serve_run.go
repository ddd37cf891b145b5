// The life cycle of a running serve command: announcing it, the self-grade
// and --check, SIGHUP reload, graceful stop.

package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sync"
	"syscall"
	"time"

	"github.com/chaintool/chaintool/bundle"
	"github.com/chaintool/chaintool/grade"
	"github.com/chaintool/chaintool/serve"
)

// serverGCPercent is the garbage collector's target while serving, in
// place of Go's 100: the heap may grow to five times the live data
// between collections. Every request leaves a few kilobytes of garbage
// (a TLS handshake about 40 KiB) on a live heap of a few MiB, so at 100
// the collector runs dozens of times a second under load; at 400 a
// keep-alive request costs about 10 % less CPU and a new TLS connection
// about 15 % less (bench/README.md).
const serverGCPercent = 400

// setServerGC sets serverGCPercent unless GOGC is in the environment,
// where the user's value has already taken effect.
func setServerGC(lookupEnv func(string) (string, bool)) {
	if _, set := lookupEnv("GOGC"); !set {
		debug.SetGCPercent(serverGCPercent)
	}
}

// announce says where the server listens and how to reach it.
func (r *serveRun) announce(srv *serve.Server) {
	leaf := srv.Certificate().Chain[0]
	sum := bundle.Summarize(leaf, time.Now())
	fmt.Fprintf(r.log, "chaintool: serving %s with %s (%s, %s)\n", srv.URL(), sum.Name, sum.KeyDescription(), sum.Validity(time.Now()))
	if r.demo {
		fmt.Fprintf(r.log, "chaintool: demo chain for localhost, 127.0.0.1 and ::1; its root is %s\n", r.cacert)
	}
	if r.privateRoot != nil {
		fmt.Fprintf(r.log, "chaintool: the root %s is in no trust store; clients must trust it: a copy is in %s\n",
			bundle.SubjectName(r.privateRoot), r.cacert)
	}
	fmt.Fprintf(r.log, "chaintool: try: %s\n", srv.CurlCommand(r.cacert))
	if a := srv.RedirectAddr(); a != nil {
		fmt.Fprintf(r.log, "chaintool: redirecting http://%s/ to https\n", a)
	}
	fmt.Fprintf(r.log, "chaintool: Ctrl-C stops; kill -HUP %d reloads the bundle\n", os.Getpid())
}

// selfCheckTimeout bounds one self-grade.
const selfCheckTimeout = 60 * time.Second

// selfCheck grades the running server, trusting trust, and reports on
// stderr.
func (r *serveRun) selfCheck(srv *serve.Server, trust *bundle.Roots) {
	ctx, cancel := context.WithTimeout(context.Background(), selfCheckTimeout)
	defer cancel()
	sg, err := srv.SelfCheck(ctx, trust)
	if err != nil {
		r.warnf("self-check failed: %v", err)
		return
	}
	fmt.Fprintf(r.log, "chaintool: self-grade: %s (score %d: protocol %d, key exchange %d, cipher %d)\n",
		sg.Grade, sg.Score, sg.ProtocolScore, sg.KeyExchangeScore, sg.CipherScore)
	for _, c := range sg.Caps {
		r.warnf("self-grade capped at %s: %s", c.Grade, c.Reason)
	}
	for _, w := range sg.Warnings {
		r.warnf("self-grade: %s", w)
	}
}

// check is --check: grade, print, stop.
func (r *serveRun) check(srv *serve.Server) error {
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), selfCheckTimeout)
	defer cancel()
	sg, err := srv.SelfCheck(ctx, r.trust)
	if err != nil {
		return fmt.Errorf("self-check: %w", err)
	}
	minGrade := r.c.String("min-grade")
	pass := grade.AtLeast(sg.Grade, minGrade)
	if r.c.Bool("json") {
		if err := writeJSON(r.e.stdout, checkJSON{sg, minGrade, pass}); err != nil {
			return err
		}
	} else if err := sg.WriteText(r.e.stdout); err != nil {
		return err
	}
	if !pass {
		return problems(fmt.Sprintf("the server graded %s, below --min-grade %s", sg.Grade, minGrade), "")
	}
	return nil
}

// checkJSON is the --check --json schema: chaintool grade's, plus when
// the check ran and the verdict against --min-grade.
type checkJSON struct {
	*serve.SelfGrade
	MinGrade string `json:"min_grade"`
	Pass     bool   `json:"pass"`
}

// shutdownTimeout bounds how long requests under way may take to finish.
const shutdownTimeout = 30 * time.Second

// wait serves until a signal: SIGHUP reloads, SIGINT and SIGTERM stop.
func (r *serveRun) wait(srv *serve.Server, sigs <-chan os.Signal) error {
	for {
		select {
		case err := <-srv.Err():
			srv.Close()
			return err
		case sig := <-sigs:
			if sig == syscall.SIGHUP {
				r.reload(srv)
				continue
			}
			return r.stop(srv, sig, sigs)
		}
	}
}

// stop drains the server; a second signal closes it at once.
func (r *serveRun) stop(srv *serve.Server, sig os.Signal, sigs <-chan os.Signal) error {
	fmt.Fprintf(r.log, "chaintool: %s: finishing the requests under way\n", signalName(sig))
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- srv.Shutdown(ctx) }()
	select {
	case err := <-done:
		if err != nil {
			r.warnf("stopped before every request finished: %v", err)
		}
	case sig := <-sigs:
		fmt.Fprintf(r.log, "chaintool: %s again: closing every connection\n", signalName(sig))
		srv.Close()
	}
	fmt.Fprintf(r.log, "chaintool: stopped\n")
	return nil
}

func signalName(sig os.Signal) string {
	switch sig {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return sig.String()
}

// reload opens --dir again, reads the bundle again and swaps it in if it
// passes verify.
func (r *serveRun) reload(srv *serve.Server) {
	if dir := r.c.String("dir"); dir != "" {
		if err := srv.ReopenDir(); err != nil {
			fmt.Fprintf(r.log, "chaintool: error: SIGHUP: --dir %s; still serving the folder opened before\n", oneLine(err.Error()))
		} else {
			fmt.Fprintf(r.log, "chaintool: SIGHUP: reopened --dir %s\n", dir)
		}
	}
	args := r.c.Args().Slice()
	if r.demo {
		r.warnf("SIGHUP: nothing to reload, the demo chain lives in memory")
		return
	}
	for _, a := range args {
		if a == "-" {
			r.warnf("SIGHUP: cannot reload a bundle read from stdin")
			return
		}
	}
	cert, pf, err := r.readBundle(args)
	if err == nil {
		err = r.judge(pf, args)
	}
	if err == nil {
		err = srv.Reload(cert)
	}
	if err != nil {
		fmt.Fprintf(r.log, "chaintool: error: SIGHUP: %s; still serving the previous certificate\n", oneLine(err.Error()))
		return
	}
	sum := bundle.Summarize(cert.Chain[0], time.Now())
	fmt.Fprintf(r.log, "chaintool: SIGHUP: reloaded %s (%s)\n", sum.Name, sum.Validity(time.Now()))
	go r.selfCheck(srv, pf.Trust)
}

func (r *serveRun) warnf(format string, args ...any) {
	fmt.Fprintf(r.log, "chaintool: warning: "+format+"\n", args...)
}

// lineWriter serialises writes so that log lines from concurrent requests
// and messages never interleave.
type lineWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lineWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
