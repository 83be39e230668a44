package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/golang-jwt/jwt/v5"
)

// chromiumPath finds the browser: $EVENTHOST_TEST_CHROMIUM (.ci/chromium.sh
// prints it), else chromium on PATH. Without one the test skips, or fails
// when CI=true: `make test` installs it.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("EVENTHOST_TEST_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no chromium: `make test` installs it with .ci/chromium.sh")
	}
	t.Skip("no chromium (make test installs it with .ci/chromium.sh)")
	return ""
}

// outputDir is where a test leaves files for people to look at:
// $TEST_OUTPUT when set, else a temporary folder.
func outputDir(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("TEST_OUTPUT"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

// newBrowser starts headless Chromium with a fresh profile for the test and
// returns a tab's context; the browser ends with the test.
func newBrowser(t *testing.T, ctx context.Context, chromium string) context.Context {
	t.Helper()
	var out syncBuffer
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		chromedp.CombinedOutput(&out),
	)
	tab, cancelTab := chromedp.NewContext(alloc, chromedp.WithErrorf(t.Logf))
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc() // waits for the browser to exit
		if t.Failed() {
			t.Logf("chromium output:\n%s", out.String())
		}
	})
	if err := chromedp.Do(tab); err != nil { // starts the browser
		t.Fatalf("starting chromium: %v\n%s", err, out.String())
	}
	return tab
}

// TestBrowserPage drives the page at GET / in headless Chromium against a
// real server on a copy of the shipped scripts, with -watch: the table lists
// the shipped routes with their files, the form sends api.hello.greeting and
// the log shows the reply, api.clock.ticks shows its pushes, and a route
// added (then a build error, then its removal) while the page is open shows
// without reloading it. It leaves a screenshot in the output folder.
func TestBrowserPage(t *testing.T) {
	// Not parallel: it runs before the package's parallel tests, whose
	// timings (the Socket.IO heartbeat of 200 ms) its CPU would disturb.
	chromium := chromiumPath(t)
	scripts := filepath.Join(t.TempDir(), "scripts")
	copyTree(t, filepath.Join("..", "..", "scripts"), scripts)
	srv := startServer(t, "-scripts", scripts, "-watch")

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second) // a bound, not a speed check
	t.Cleanup(cancel)
	tab := newBrowser(t, ctx, chromium)
	page := "http://" + srv.addr + "/"

	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(tab, actions...); err != nil {
			t.Fatalf("%s: %v\nthe log on the page:\n%s", what, err, pageLog(tab))
		}
	}
	// waitFor polls a JavaScript predicate on the page.
	waitFor := func(what, predicate string) {
		t.Helper()
		if _, err := chromedp.Run(tab, chromedp.Poll[chromedp.Void](predicate, chromedp.WithPollingTimeout(15*time.Second))); err != nil {
			t.Fatalf("waiting for %s: %v\nthe log on the page:\n%s", what, err, pageLog(tab))
		}
	}
	sendEvent := func(event, data string) {
		t.Helper()
		// Not chromedp.SetValue: it refuses to set "".
		set := fmt.Sprintf(`document.getElementById('event').value = %q; document.getElementById('data').value = %q;`, event, data)
		step("sending "+event,
			chromedp.Evaluate[chromedp.Void](set),
			chromedp.Click("#send-button"),
		)
	}
	logHas := func(kind, text string) string {
		return fmt.Sprintf(`[...document.querySelectorAll('#log li[data-kind=%q]')].some(li => li.textContent.includes(%q))`, kind, text)
	}

	step("loading the page", chromedp.Navigate(page))
	waitFor("the route table", `document.querySelectorAll('#routes tbody tr').length > 0`)
	waitFor("the connection", `document.getElementById('state').dataset.state === 'open'`)

	// The shipped routes, each with its file, as the server knows them.
	rows, err := chromedp.Run(tab, chromedp.Evaluate[[]string](
		`[...document.querySelectorAll('#routes tbody tr')].map(tr => tr.dataset.event + ' ' + tr.querySelector('.file').textContent)`))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, r := range srvRoutes(t, srv) {
		want[r.Event] = r.File // the files as GET /api/routes names them
	}
	if len(rows) != len(want) || len(want) == 0 {
		t.Errorf("the table has %d rows, the server %d routes: %q", len(rows), len(want), rows)
	}
	for _, row := range rows {
		event, file, _ := strings.Cut(row, " ")
		if want[event] != file {
			t.Errorf("row %q: the server says %s is in %q", row, event, want[event])
		}
	}
	if !slices.Contains(rows, "api.hello.greeting scripts/api/hello.js") {
		t.Errorf("no api.hello.greeting row with its file: %q", rows)
	}

	sendEvent("api.hello.greeting", `{"name": "Ada"}`)
	waitFor("the greeting's reply", logHas("reply", "You're welcome Ada"))
	sendEvent("api.hello.greeting", `{}`)
	waitFor("the error reply", logHas("error", "name is required"))
	sendEvent("api.clock.ticks", `{"count": 2}`)
	waitFor("a clock.tick push", logHas("push", "clock.tick"))
	waitFor("the ticks' reply", logHas("reply", "api.clock.ticks"))

	// A route added while the page is open.
	added := filepath.Join(scripts, "api", "added.js")
	if err := os.WriteFile(added, []byte("export function now() { return \"added while open\"; }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor("the added route in the table", `document.querySelector('#routes tbody tr[data-event="api.added.now"] .file')?.textContent === 'scripts/api/added.js'`)
	sendEvent("api.added.now", "")
	waitFor("the added route's reply", logHas("reply", "added while open"))

	// A build error shows; the table keeps the routes being served.
	if err := os.WriteFile(added, []byte("export function now( {\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor("the build error", `!document.getElementById('build-error').hidden && document.getElementById('build-error-message').textContent.includes('added.js')`)
	shot := screenshot(t, tab)

	// Removing the file removes the route, and the error goes.
	if err := os.Remove(added); err != nil {
		t.Fatal(err)
	}
	waitFor("the route's removal", `!document.querySelector('#routes tbody tr[data-event="api.added.now"]') && document.getElementById('build-error').hidden`)
	step("reading the state", chromedp.WaitVisible(`#state[data-state="open"]`))
	t.Logf("screenshot: %s", shot)
}

// TestBrowserToken: against a server with -jwt-secret the page is refused
// without a token and connects with the one typed in its token field.
func TestBrowserToken(t *testing.T) {
	// Not parallel: it runs before the package's parallel tests, whose
	// timings (the Socket.IO heartbeat of 200 ms) its CPU would disturb.
	chromium := chromiumPath(t)
	secret := strings.Repeat("s", 32)
	srv := startServer(t, "-scripts", "../../scripts", "-watch=false", "-jwt-secret", secret)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second) // a bound, not a speed check
	t.Cleanup(cancel)
	tab := newBrowser(t, ctx, chromium)
	waitFor := func(what, predicate string) {
		t.Helper()
		if _, err := chromedp.Run(tab, chromedp.Poll[chromedp.Void](predicate, chromedp.WithPollingTimeout(15*time.Second))); err != nil {
			t.Fatalf("waiting for %s: %v\nthe log on the page:\n%s", what, err, pageLog(tab))
		}
	}
	if err := chromedp.Do(tab, chromedp.Navigate("http://"+srv.addr+"/")); err != nil {
		t.Fatal(err)
	}
	waitFor("the refusal", `document.getElementById('state').dataset.state === 'refused' && document.getElementById('token').classList.contains('needed')`)
	jwtText := token(t, jwt.SigningMethodHS256, []byte(secret), jwt.MapClaims{"name": "Ada"})
	if err := chromedp.Do(tab, chromedp.SendKeys("#token", jwtText+"\r")); err != nil {
		t.Fatal(err)
	}
	waitFor("the connection", `document.getElementById('state').dataset.state === 'open'`)
	set := `document.getElementById('event').value = 'api.ping'; document.getElementById('data').value = '';`
	if err := chromedp.Do(tab, chromedp.Evaluate[chromedp.Void](set), chromedp.Click("#send-button")); err != nil {
		t.Fatal(err)
	}
	waitFor("the reply", `[...document.querySelectorAll('#log li[data-kind="reply"]')].some(li => li.textContent.includes('"pong"'))`)
}

// pageLog returns the text of the page's log, for failure messages.
func pageLog(tab context.Context) string {
	ctx, cancel := context.WithTimeout(tab, 2*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('log')?.innerText ?? '(no log)'`))
	if err != nil {
		return "(" + err.Error() + ")"
	}
	return s
}

// screenshot saves the page as browser.png in the output folder, checks it
// is not blank, and returns its path.
func screenshot(t *testing.T, tab context.Context) string {
	t.Helper()
	buf, err := chromedp.Run(tab, chromedp.FullScreenshot(100)) // 100: PNG
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	path := filepath.Join(outputDir(t), "browser.png")
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(buf))
	if err != nil {
		t.Fatalf("the screenshot is not a PNG: %v", err)
	}
	if share := nonUniform(img); share < 0.05 {
		t.Errorf("the screenshot %s looks blank: %.1f%% of its pixels differ from the background", path, 100*share)
	}
	return path
}

// nonUniform returns the share of img's pixels whose colour is not the most
// common one.
func nonUniform(img image.Image) float64 {
	b := img.Bounds()
	counts := map[[4]uint32]int{}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA()
			counts[[4]uint32{r, g, bl, a}]++
		}
	}
	most := 0
	for _, n := range counts {
		most = max(most, n)
	}
	total := b.Dx() * b.Dy()
	if total == 0 {
		return 0
	}
	return float64(total-most) / float64(total)
}
