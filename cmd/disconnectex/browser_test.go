package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/disconnectex/disconnectex/internal/docsync"
)

// TestPlaygroundInBrowser loads the playground in Debian's chromium,
// headless, driven over the DevTools protocol (--remote-debugging-pipe),
// runs every scenario in the page, and checks that the page shows the same
// timeline as `disconnectex run`, an SVG timeline and the state diagram; it
// saves a screenshot. It needs a browser, so it runs only when
// DISCONNECTEX_BROWSER names one (.ci/run sets it to chromium);
// DISCONNECTEX_ARTIFACTS names where the screenshot goes (default: the
// test's temporary directory).
func TestPlaygroundInBrowser(t *testing.T) {
	browser := os.Getenv("DISCONNECTEX_BROWSER")
	if browser == "" {
		t.Skip("needs a browser: set DISCONNECTEX_BROWSER=chromium (Debian's chromium package)")
	}
	wasm := filepath.Join(t.TempDir(), "disconnectex.wasm")
	build := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", wasm, ".")
	build.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the WebAssembly: %v\n%s", err, out)
	}
	if fi, err := os.Stat(wasm); err == nil {
		t.Logf("WebAssembly: %d bytes", fi.Size())
	}
	site, err := buildSite(wasm, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(site.handler()) // 127.0.0.1
	defer srv.Close()

	cdp := startBrowser(t, browser)
	session := cdp.open(t, srv.URL+"/?scenario=timewait-delays-reuse")
	var ready struct {
		LoadMs    float64  `json:"loadMs"`
		Scenarios []string `json:"scenarios"`
	}
	cdp.eval(t, session, "playground.ready", &ready)
	t.Logf("first load: the emulator was ready %.0f ms after the page asked for it", ready.LoadMs)
	scenarios := playgroundScenarios()
	if len(ready.Scenarios) != len(scenarios) || len(scenarios) == 0 {
		t.Fatalf("the page offers %v, want the %d scenarios of testdata/scenarios", ready.Scenarios, len(scenarios))
	}

	type summary struct {
		Code          int      `json:"code"`
		Text          string   `json:"text"`
		Stderr        string   `json:"stderr"`
		Events        int      `json:"events"`
		Ms            float64  `json:"ms"`
		Bands         int      `json:"bands"`
		TimeWaitBands int      `json:"timeWaitBands"`
		CurrentStates []string `json:"currentStates"`
	}
	for _, sc := range scenarios {
		var got summary
		cdp.eval(t, session, fmt.Sprintf("playground.runScenario(%q)", sc.Name), &got)
		var want, stderr bytes.Buffer
		code := run([]string{"run", filepath.Join("..", "..", "testdata", "scenarios", sc.Name+".dx")}, &want, &stderr)
		if got.Code != code || got.Text != want.String() {
			t.Errorf("scenario %s: the page shows exit %d and a timeline that differs from `disconnectex run` (exit %d):\n%s",
				sc.Name, got.Code, code, firstDiff(want.String(), got.Text))
		}
		if got.Events == 0 || got.Bands == 0 {
			t.Errorf("scenario %s: %d events, %d bands in the SVG timeline", sc.Name, got.Events, got.Bands)
		}
		if sc.Name == "timewait-delays-reuse" && got.TimeWaitBands == 0 {
			t.Errorf("scenario %s: no TIME_WAIT band in the SVG timeline", sc.Name)
		}
		t.Logf("scenario %s: %d events in %.1f ms", sc.Name, got.Events, got.Ms)
	}

	// Stepping back shows the states of an earlier moment.
	var states []string
	cdp.eval(t, session, `(playground.runScenario("timewait-delays-reuse"), playground.setStep(1),
		[...document.querySelectorAll('#states g.state[data-current="true"]')].map(g => g.dataset.state))`, &states)
	if len(states) != 1 || states[0] != "unconnected" {
		t.Errorf("after the second event (the first socket made) the state diagram highlights %v, want [unconnected]", states)
	}
	var explained string
	cdp.eval(t, session, `(document.querySelector("#timeline a.code").click(), document.getElementById("explain-text").textContent)`, &explained)
	if !strings.Contains(explained, "ERROR_") && !strings.Contains(explained, "WSA") {
		t.Errorf("clicking an error code shows %q", explained)
	}
	var bad summary
	cdp.eval(t, session, `playground.runScript("socket c tcp overlapped\nfrobnicate c\n")`, &bad)
	var problems []string
	cdp.eval(t, session, `[...document.querySelectorAll("#problems li")].map(li => li.dataset.line + ": " + li.textContent)`, &problems)
	if bad.Code != exitUsage || len(problems) == 0 || !strings.HasPrefix(problems[0], "2: ") {
		t.Errorf("a script with an unknown verb on line 2: exit %d, problems %q", bad.Code, problems)
	}

	// The capacity form: its defaults are the workload, and the
	// page shows what `disconnectex churn` prints for it, and the plot.
	type churnSummary struct {
		Code    int     `json:"code"`
		Command string  `json:"command"`
		Text    string  `json:"text"`
		Lines   int     `json:"lines"`
		Ms      float64 `json:"ms"`
	}
	var ch churnSummary
	cdp.eval(t, session, `(document.getElementById("churn-run").click(), playground.submitted)`, &ch)
	var wantChurn bytes.Buffer
	churnArgs := []string{"-rate", "10000/s", "-for", "1h", "-delay", "240s", "-port-start", "49152", "-port-count", "16384", "-servers", "1", "-model-limit", "2000000"}
	run(append([]string{"churn"}, churnArgs...), &wantChurn, io.Discard)
	if ch.Code != 0 || ch.Text != wantChurn.String() || ch.Lines != 2 || ch.Command != "disconnectex churn "+strings.Join(churnArgs, " ") {
		t.Errorf("the capacity form: exit %d, %d lines plotted, command %q; report:\n%s", ch.Code, ch.Lines, ch.Command, firstDiff(wantChurn.String(), ch.Text))
	}
	t.Logf("churn of the issue's workload in the page: %.0f ms", ch.Ms)
	cdp.eval(t, session, `(document.getElementById("churn-server-first").checked = true, document.getElementById("churn-reuse").value = "8",
		playground.churnForm())`, &ch)
	if ch.Code != 0 || !strings.Contains(ch.Text, "exhaustion: none") || ch.Lines != 4 {
		t.Errorf("the server first with a pool of 8: exit %d, %d lines plotted (want 4: two variants), report:\n%s", ch.Code, ch.Lines, ch.Text)
	}
	// A fix the page prints can be tried in the page: 100/s needs
	// start=1025 num=24002.
	cdp.eval(t, session, `(document.getElementById("churn-server-first").checked = false, document.getElementById("churn-reuse").value = "0",
		document.getElementById("churn-rate").value = "100/s", document.getElementById("churn-port-start").value = "1025",
		document.getElementById("churn-ports").value = "24002", playground.churnForm())`, &ch)
	if ch.Code != 0 || !strings.Contains(ch.Text, "exhaustion: none") {
		t.Errorf("100/s with ports 1025+24002 in the page: exit %d, report:\n%s", ch.Code, ch.Text)
	}
	// The placement fields: IPv6 on both sides, and the first server port.
	cdp.eval(t, session, `(document.getElementById("churn-rate").value = "100/s", document.getElementById("churn-for").value = "10m",
		document.getElementById("churn-client").value = "::1", document.getElementById("churn-server").value = "::1",
		document.getElementById("churn-server-port").value = "9000", playground.churnForm())`, &ch)
	if ch.Code != 0 || !strings.Contains(ch.Text, "clients on ::1, servers on [::1]:9000") ||
		!strings.HasSuffix(ch.Command, " -server-port 9000 -client ::1 -server ::1") {
		t.Errorf("clients and servers on ::1, port 9000: exit %d, command %q, report:\n%s", ch.Code, ch.Command, ch.Text)
	}
	cdp.eval(t, session, `(document.getElementById("churn-for").value = "1h", document.getElementById("churn-client").value = "127.0.0.1",
		document.getElementById("churn-server").value = "127.0.0.1", document.getElementById("churn-server-port").value = "8080", true)`, new(bool))
	var churnErr string
	cdp.eval(t, session, `(document.getElementById("churn-rate").value = "fast", playground.churnForm(),
		document.getElementById("churn-status").className + ": " + document.getElementById("churn-text").textContent)`, &churnErr)
	if !strings.HasPrefix(churnErr, "error: churn:") {
		t.Errorf("a rate of \"fast\": the page shows %q", churnErr)
	}

	// Load again with the WebAssembly cached: time to the first result.
	cdp.call(t, session, "Page.reload", map[string]any{}, nil)
	cdp.waitPlayground(t, session)
	var first struct {
		LoadMs float64 `json:"loadMs"`
		RunMs  float64 `json:"runMs"`
	}
	cdp.eval(t, session, `playground.ready.then(r => ({loadMs: r.loadMs, runMs: playground.runScenario("completion-port").ms}))`, &first)
	t.Logf("reload, WebAssembly cached: ready in %.0f ms, first result %.0f ms later (load to first result %.0f ms)",
		first.LoadMs, first.RunMs, first.LoadMs+first.RunMs)

	cdp.eval(t, session, `(playground.runScenario("timewait-delays-reuse"), playground.setStep(40), playground.churnForm(), true)`, new(bool))
	var shot struct {
		Data string `json:"data"`
	}
	cdp.call(t, session, "Page.captureScreenshot", map[string]any{"format": "png", "captureBeyondViewport": true}, &shot)
	png, err := base64.StdEncoding.DecodeString(shot.Data)
	if err != nil || len(png) < 1000 {
		t.Fatalf("screenshot: %d bytes, %v", len(png), err)
	}
	dir := os.Getenv("DISCONNECTEX_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	}
	path := filepath.Join(dir, "playground.png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes)", path, len(png))
}

// firstDiff shows the first line where the page's timeline differs from
// the one `disconnectex run` prints.
func firstDiff(want, got string) string { return docsync.LineDiff(want, got, "run: ", "page:") }

// devtools speaks the DevTools protocol with a browser over the pipe that
// --remote-debugging-pipe opens: JSON messages ended by a NUL byte, the
// browser reading from its fd 3 and writing to its fd 4.
type devtools struct {
	w    io.Writer
	r    *bufio.Reader
	next int
}

func startBrowser(t *testing.T, browser string) *devtools {
	t.Helper()
	toBrowser, ourEnd, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	fromBrowser, browserEnd, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(browser, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
		"--no-first-run", "--no-default-browser-check", "--disable-extensions", "--window-size=1600,1200",
		"--user-data-dir="+t.TempDir(), "--remote-debugging-pipe", "about:blank")
	cmd.ExtraFiles = []*os.File{toBrowser, browserEnd} // fd 3 and fd 4
	var logs bytes.Buffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Skipf("cannot start %s: %v", browser, err)
	}
	toBrowser.Close()
	browserEnd.Close()
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		ourEnd.Close()
		fromBrowser.Close()
		if t.Failed() {
			t.Logf("browser log:\n%s", logs.String())
		}
	})
	// A hung browser must not hang the test: a deadline closes the pipe.
	timer := time.AfterFunc(3*time.Minute, func() { cmd.Process.Kill() })
	t.Cleanup(func() { timer.Stop() })
	return &devtools{w: ourEnd, r: bufio.NewReader(fromBrowser)}
}

// call sends one command (in session, "" for the browser) and decodes its
// result into out, skipping the events that arrive in between.
func (d *devtools) call(t *testing.T, session, method string, params any, out any) {
	t.Helper()
	d.next++
	msg := map[string]any{"id": d.next, "method": method, "params": params}
	if session != "" {
		msg["sessionId"] = session
	}
	b, _ := json.Marshal(msg)
	if _, err := d.w.Write(append(b, 0)); err != nil {
		t.Fatalf("%s: %v", method, err)
	}
	for {
		raw, err := d.r.ReadBytes(0)
		if err != nil {
			t.Fatalf("%s: reading the browser's answer: %v", method, err)
		}
		var reply struct {
			ID     int             `json:"id"`
			Result json.RawMessage `json:"result"`
			Error  *struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		if err := json.Unmarshal(raw[:len(raw)-1], &reply); err != nil {
			t.Fatalf("%s: %v", method, err)
		}
		if reply.ID != d.next {
			continue // an event, or an answer to no one
		}
		if reply.Error != nil {
			t.Fatalf("%s: %s", method, reply.Error.Message)
		}
		if out != nil {
			if err := json.Unmarshal(reply.Result, out); err != nil {
				t.Fatalf("%s: %v", method, err)
			}
		}
		return
	}
}

// open makes a page at url and returns its session.
func (d *devtools) open(t *testing.T, url string) string {
	t.Helper()
	var target struct {
		TargetID string `json:"targetId"`
	}
	d.call(t, "", "Target.createTarget", map[string]any{"url": url}, &target)
	var attached struct {
		SessionID string `json:"sessionId"`
	}
	d.call(t, "", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &attached)
	d.call(t, attached.SessionID, "Page.enable", map[string]any{}, nil)
	d.waitPlayground(t, attached.SessionID)
	return attached.SessionID
}

// waitPlayground waits (up to 10 s) for the page's script to define
// playground.
func (d *devtools) waitPlayground(t *testing.T, session string) {
	t.Helper()
	var ok bool
	for i := 0; i < 200 && !ok; i++ {
		d.eval(t, session, "typeof playground !== 'undefined'", &ok)
		if !ok {
			time.Sleep(50 * time.Millisecond)
		}
	}
	if !ok {
		t.Fatalf("the page never defined playground")
	}
}

// eval evaluates expression in the page, awaiting a promise, and decodes
// its value into out.
func (d *devtools) eval(t *testing.T, session, expression string, out any) {
	t.Helper()
	var res struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	d.call(t, session, "Runtime.evaluate", map[string]any{"expression": expression, "awaitPromise": true, "returnByValue": true}, &res)
	if e := res.ExceptionDetails; e != nil {
		t.Fatalf("in the page, %s: %s %s", expression, e.Text, e.Exception.Description)
	}
	if err := json.Unmarshal(res.Result.Value, out); err != nil {
		t.Fatalf("in the page, %s gave %s: %v", expression, res.Result.Value, err)
	}
}
