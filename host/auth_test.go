package host_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/eventhost/eventhost/host"
	"github.com/eventhost/eventhost/internal/wstest"
)

var (
	testSecret = []byte("a test secret of at least 32 bytes!")

	// rsaKeys and ecKeys generate each test key once per test binary.
	rsaKeys = sync.OnceValues(func() (*rsa.PrivateKey, *rsa.PrivateKey) {
		return mustRSA(), mustRSA()
	})
	ecKeys = sync.OnceValues(func() (*ecdsa.PrivateKey, *ecdsa.PrivateKey) {
		return mustEC(elliptic.P256()), mustEC(elliptic.P256())
	})
)

func mustRSA() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
}

func mustEC(c elliptic.Curve) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		panic(err)
	}
	return k
}

// pemPKIX encodes a public key as a PKIX "PUBLIC KEY" block.
func pemPKIX(t testing.TB, pub crypto.PublicKey) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// sign returns a token of claims signed with method and key.
func sign(t testing.TB, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatalf("sign %s: %v", method.Alg(), err)
	}
	return s
}

// unsigned returns an "alg":"none" token of claims, crafted by hand.
func unsigned(claims jwt.MapClaims) string {
	enc := base64.RawURLEncoding
	payload, _ := json.Marshal(claims)
	return enc.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + enc.EncodeToString(payload) + "."
}

// forge replaces the claims of token, keeping its header and signature.
func forge(token string, c jwt.MapClaims) string {
	parts := strings.Split(token, ".")
	payload, _ := json.Marshal(c)
	return parts[0] + "." + base64.RawURLEncoding.EncodeToString(payload) + "." + parts[2]
}

// claims returns claims for subject sub, valid from a minute ago for an hour.
func claims(sub string) jwt.MapClaims {
	now := time.Now()
	return jwt.MapClaims{"sub": sub, "iat": now.Unix(), "nbf": now.Add(-time.Minute).Unix(), "exp": now.Add(time.Hour).Unix()}
}

// with returns a copy of c with the given members changed.
func with(c jwt.MapClaims, kv ...any) jwt.MapClaims {
	out := jwt.MapClaims{}
	for k, v := range c {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

// authCase is one handshake against a server with authentication.
type authCase struct {
	name   string
	token  string
	query  bool   // in ?token= rather than the Authorization header
	header string // the whole Authorization header, overriding token
	want   string // "" to connect, else the 401 reason
}

// runAuth runs cases against a server with cfg's keys: a connection must
// carry the claims of its token to Connect and to c.Handshake(); a refusal
// must be 401 "unauthorized: <reason>" with WWW-Authenticate: Bearer, and
// must not reach Connect.
func runAuth(t *testing.T, cfg host.Config, tests []authCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			hk, l := newHooks(), newLifecycle()
			cfg := cfg
			cfg.Hooks = hk
			srv := newServer(t, l, cfg)
			u, h := srv.wsURL, http.Header{}
			switch {
			case tt.header != "":
				h.Set("Authorization", tt.header)
			case tt.query && tt.token != "":
				u += "?token=" + url.QueryEscape(tt.token)
			case tt.token != "":
				h.Set("Authorization", "Bearer "+tt.token)
			}
			ws, r := wstest.TryDial(t, u, h)
			if tt.want != "" {
				wstest.WantRefused(t, ws, r, http.StatusUnauthorized, "unauthorized: "+tt.want)
				if got := r.Header.Get("WWW-Authenticate"); got != "Bearer" {
					t.Errorf("WWW-Authenticate %q, want Bearer", got)
				}
				if n := len(hk.connected()); n != 0 {
					t.Errorf("Connect ran %d times for a refused token", n)
				}
				return
			}
			if ws == nil {
				t.Fatalf("refused: HTTP %d %q", r.Status, r.Body)
			}
			cs := hk.connected()
			if len(cs) != 1 || cs[0].hs.Claims["sub"] != "ada" {
				t.Fatalf("Connect saw %+v, want one call with sub ada", cs)
			}
			c := wstest.New(t, ws, wstest.Options{})
			f := c.CallID(t, "1", "handshake", "")
			hs := wstest.Object(t, replyData(t, f, "1"), "headers", "query", "address", "time", "namespace", "auth", "claims")
			var auth map[string]any
			if err := json.Unmarshal(hs["auth"], &auth); err != nil || auth["sub"] != "ada" {
				t.Errorf("c.Handshake() claims %s, want sub ada", hs["auth"])
			}
		})
	}
}

// replyData checks that f is a reply to id and returns its data.
func replyData(t testing.TB, f wstest.Frame, id string) json.RawMessage {
	t.Helper()
	m := wstest.Object(t, f.Raw, "id", "data")
	if string(m["id"]) != id {
		t.Fatalf("got %s, want a reply to %s", f.Raw, id)
	}
	return m["data"]
}

func TestAuthSecret(t *testing.T) {
	t.Parallel()
	rsaKey, _ := rsaKeys()
	ok := claims("ada")
	hs := func(c jwt.MapClaims) string { return sign(t, jwt.SigningMethodHS256, testSecret, c) }
	runAuth(t, host.Config{JWTSecret: testSecret}, []authCase{
		{name: "header", token: hs(ok)},
		{name: "query", token: hs(ok), query: true},
		{name: "lower-case scheme", header: "bearer " + hs(ok)},
		{name: "HS384", token: sign(t, jwt.SigningMethodHS384, testSecret, ok)},
		{name: "HS512", token: sign(t, jwt.SigningMethodHS512, testSecret, ok), query: true},
		{name: "no exp or nbf", token: hs(jwt.MapClaims{"sub": "ada"})},
		{name: "expired within the leeway", token: hs(with(ok, "exp", time.Now().Add(-10*time.Second).Unix()))},
		{name: "missing", want: "missing token"},
		{name: "empty query", query: true, token: "", want: "missing token"},
		{name: "other scheme", header: "Basic YWRhOnB3", want: "missing token"},
		{name: "garbage", token: "garbage", want: "malformed token"},
		{name: "three garbage parts", token: "a.b.c", want: "malformed token"},
		{name: "exp not a number", token: hs(with(ok, "exp", "tomorrow")), want: "malformed token"},
		{name: "wrong secret", token: sign(t, jwt.SigningMethodHS256, []byte("another secret of at least 32 bytes"), ok), want: "invalid signature"},
		{name: "forged claims", token: forge(hs(ok), with(ok, "sub", "eve")), want: "invalid signature"},
		{name: "expired", token: hs(with(ok, "exp", time.Now().Add(-time.Hour).Unix())), want: "token expired"},
		{name: "not valid yet", token: hs(with(ok, "nbf", time.Now().Add(time.Hour).Unix())), want: "token not valid yet"},
		{name: "alg none", token: unsigned(ok), want: "algorithm not allowed"},
		{name: "alg none in the query", token: unsigned(ok), query: true, want: "algorithm not allowed"},
		{name: "RS256 with only a secret", token: sign(t, jwt.SigningMethodRS256, rsaKey, ok), want: "algorithm not allowed"},
	})
}

func TestAuthPublicKey(t *testing.T) {
	t.Parallel()
	rsaKey, otherRSA := rsaKeys()
	ecKey, otherEC := ecKeys()
	ok := claims("ada")
	rsaPEM, ecPEM := pemPKIX(t, &rsaKey.PublicKey), pemPKIX(t, &ecKey.PublicKey)
	t.Run("RSA", func(t *testing.T) {
		t.Parallel()
		runAuth(t, host.Config{JWTPublicKey: &rsaKey.PublicKey}, []authCase{
			{name: "RS256", token: sign(t, jwt.SigningMethodRS256, rsaKey, ok)},
			{name: "RS256 in the query", token: sign(t, jwt.SigningMethodRS256, rsaKey, ok), query: true},
			{name: "another key", token: sign(t, jwt.SigningMethodRS256, otherRSA, ok), want: "invalid signature"},
			{name: "expired", token: sign(t, jwt.SigningMethodRS256, rsaKey, with(ok, "exp", time.Now().Add(-time.Hour).Unix())), want: "token expired"},
			// Algorithm confusion: the public key's PEM as an HMAC secret.
			{name: "HS256 keyed with the public key", token: sign(t, jwt.SigningMethodHS256, rsaPEM, ok), want: "algorithm not allowed"},
			{name: "RS512", token: sign(t, jwt.SigningMethodRS512, rsaKey, ok), want: "algorithm not allowed"},
			{name: "PS256", token: sign(t, jwt.SigningMethodPS256, rsaKey, ok), want: "algorithm not allowed"},
			{name: "ES256", token: sign(t, jwt.SigningMethodES256, ecKey, ok), want: "algorithm not allowed"},
			{name: "alg none", token: unsigned(ok), want: "algorithm not allowed"},
		})
	})
	t.Run("ECDSA", func(t *testing.T) {
		t.Parallel()
		runAuth(t, host.Config{JWTPublicKey: &ecKey.PublicKey}, []authCase{
			{name: "ES256", token: sign(t, jwt.SigningMethodES256, ecKey, ok)},
			{name: "another key", token: sign(t, jwt.SigningMethodES256, otherEC, ok), want: "invalid signature"},
			{name: "HS256 keyed with the public key", token: sign(t, jwt.SigningMethodHS256, ecPEM, ok), want: "algorithm not allowed"},
			{name: "RS256", token: sign(t, jwt.SigningMethodRS256, rsaKey, ok), want: "algorithm not allowed"},
			{name: "alg none", token: unsigned(ok), want: "algorithm not allowed"},
		})
	})
	t.Run("secret and RSA", func(t *testing.T) {
		t.Parallel()
		runAuth(t, host.Config{JWTSecret: testSecret, JWTPublicKey: &rsaKey.PublicKey}, []authCase{
			{name: "HS256", token: sign(t, jwt.SigningMethodHS256, testSecret, ok)},
			{name: "RS256", token: sign(t, jwt.SigningMethodRS256, rsaKey, ok)},
			{name: "HS256 keyed with the public key", token: sign(t, jwt.SigningMethodHS256, rsaPEM, ok), want: "invalid signature"},
			{name: "ES256", token: sign(t, jwt.SigningMethodES256, ecKey, ok), want: "algorithm not allowed"},
		})
	})
}

// TestAuthNotAHandshake: a request that is not a WebSocket handshake gets
// the upgrader's 400, not a 401.
func TestAuthNotAHandshake(t *testing.T) {
	t.Parallel()
	srv := newServer(t, echo, host.Config{JWTSecret: testSecret})
	resp, err := http.Get(srv.http.URL + "/ws")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("plain GET /ws: HTTP %d, want 400", resp.StatusCode)
	}
}

func TestNewPanicsOnUnsupportedKey(t *testing.T) {
	t.Parallel()
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	p384 := mustEC(elliptic.P384())
	rsaKey, _ := rsaKeys()
	for _, key := range []crypto.PublicKey{edKey.Public(), &p384.PublicKey, rsaKey} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("New accepted a %T key", key)
				}
			}()
			host.New(echo, host.Config{JWTPublicKey: key, Logger: discard})
		}()
	}
}

func TestParsePublicKeyPEM(t *testing.T) {
	t.Parallel()
	rsaKey, _ := rsaKeys()
	ecKey, _ := ecKeys()
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	p384 := mustEC(elliptic.P384())
	privDER, _ := x509.MarshalPKCS8PrivateKey(ecKey)
	tests := []struct {
		name string
		pem  []byte
		want crypto.PublicKey // nil: an error containing err
		err  string
	}{
		{name: "RSA PKIX", pem: pemPKIX(t, &rsaKey.PublicKey), want: &rsaKey.PublicKey},
		{name: "RSA PKCS1", pem: pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&rsaKey.PublicKey)}), want: &rsaKey.PublicKey},
		{name: "EC P-256", pem: pemPKIX(t, &ecKey.PublicKey), want: &ecKey.PublicKey},
		{name: "with text around", pem: append(append([]byte("a comment\n"), pemPKIX(t, &ecKey.PublicKey)...), "trailer\n"...), want: &ecKey.PublicKey},
		{name: "EC P-384", pem: pemPKIX(t, &p384.PublicKey), err: "P-384 is not supported"},
		{name: "Ed25519", pem: pemPKIX(t, edKey.Public()), err: "ed25519.PublicKey keys are not supported"},
		{name: "private key", pem: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: privDER}), err: `"PRIVATE KEY" is not a public key`},
		{name: "garbage", pem: []byte("garbage"), err: "no PEM block"},
		{name: "empty", err: "no PEM block"},
		{name: "bad DER", pem: pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: []byte("xx")}), err: "host: parse public key"},
		{name: "bad PKCS1", pem: pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: []byte("xx")}), err: "host: parse public key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := host.ParsePublicKeyPEM(tt.pem)
			if tt.want == nil {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("got %T, %v; want an error containing %q", got, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.want.(interface{ Equal(crypto.PublicKey) bool }).Equal(got) {
				t.Fatalf("got %T, not the key", got)
			}
		})
	}
}

// TestAuthLogsNoToken: refusals are logged with their reason and address,
// never with the token.
func TestAuthLogsNoToken(t *testing.T) {
	t.Parallel()
	var log lockedBuffer
	srv := newServer(t, echo, host.Config{JWTSecret: testSecret, Logger: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	ok := claims("ada")
	tokens := []string{
		sign(t, jwt.SigningMethodHS256, []byte("another secret of at least 32 bytes"), ok),
		sign(t, jwt.SigningMethodHS256, testSecret, with(ok, "exp", time.Now().Add(-time.Hour).Unix())),
		unsigned(ok),
		"not-a-token-at-all",
		"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZGEifQ.c2lnbmF0dXJl", // garbage signature
	}
	for _, tok := range tokens {
		ws, r := wstest.TryDial(t, srv.wsURL+"?token="+url.QueryEscape(tok), nil)
		if ws != nil || r.Status != http.StatusUnauthorized {
			t.Fatalf("HTTP %d, want 401", r.Status)
		}
	}
	got := log.String()
	if n := strings.Count(got, "websocket refused: unauthorized"); n != len(tokens) {
		t.Errorf("%d refusals logged, want %d:\n%s", n, len(tokens), got)
	}
	if !strings.Contains(got, "remote=127.0.0.1:") || !strings.Contains(got, `reason="token expired"`) {
		t.Errorf("the log lacks the reason or the address:\n%s", got)
	}
	for _, tok := range tokens {
		for _, part := range strings.Split(tok, ".") {
			if len(part) > 8 && strings.Contains(got, part) {
				t.Errorf("the log holds part of a token (%s):\n%s", part, got)
			}
		}
	}
}

// lockedBuffer is a bytes.Buffer for concurrent writers.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
