package webapi

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"hash"

	"github.com/dop251/goja"
)

// maxRandomBytes is getRandomValues' quota (WebCrypto's 65536 bytes).
const maxRandomBytes = 65536

// hashes maps the WebCrypto hash names to Go's implementations.
var hashes = map[string]func() hash.Hash{
	"SHA-1":   sha1.New,
	"SHA-256": sha256.New,
	"SHA-384": sha512.New384,
	"SHA-512": sha512.New,
}

// hmacKey is the secret of an HMAC CryptoKey; JS holds it as an opaque
// value in the key's private field.
type hmacKey struct {
	hash   string
	secret []byte
}

// cryptoNatives are the Go halves of crypto and crypto.subtle.
func (w *web) cryptoNatives() *goja.Object {
	rt := w.rt
	o := rt.NewObject()
	w.lazyDOMException(o)
	w.setFuncs(o, map[string]func(goja.FunctionCall) goja.Value{
		// getRandomValues(integerTypedArray) -> the same array, filled.
		"getRandomValues": func(c goja.FunctionCall) goja.Value {
			v := c.Argument(0)
			k, obj := w.kindOf(v)
			if k != kindTypedArray || !integerArrayTypes[obj.ExportType()] {
				w.throwDOM("The data argument must be an integer-type TypedArray", "TypeMismatchError")
			}
			b, _ := w.bytesOf(v)
			if len(b) > maxRandomBytes {
				w.throwDOM("The ArrayBufferView's byte length exceeds the number of bytes of entropy available via this API (65536)", "QuotaExceededError")
			}
			_, _ = rand.Read(b) // crypto/rand.Read never fails
			return v
		},
		// randomUUID() -> a version 4 UUID, lowercase.
		"randomUUID": func(goja.FunctionCall) goja.Value {
			var u [16]byte
			_, _ = rand.Read(u[:])
			u[6] = u[6]&0x0F | 0x40
			u[8] = u[8]&0x3F | 0x80
			var s [36]byte
			hex.Encode(s[0:8], u[0:4])
			s[8] = '-'
			hex.Encode(s[9:13], u[4:6])
			s[13] = '-'
			hex.Encode(s[14:18], u[6:8])
			s[18] = '-'
			hex.Encode(s[19:23], u[8:10])
			s[23] = '-'
			hex.Encode(s[24:], u[10:])
			return rt.ToValue(string(s[:]))
		},
		// digest(hashName, data) -> ArrayBuffer.
		"digest": func(c goja.FunctionCall) goja.Value {
			h := w.newHash(c.Argument(0).String())
			b := w.mustBytes("crypto.subtle.digest", c.Argument(1))
			w.checkSize("crypto.subtle.digest", len(b))
			h.Write(b)
			return w.newArrayBuffer(h.Sum(nil))
		},
		// hmacKey(hashName, keyData) -> an opaque key (a copy of keyData).
		"hmacKey": func(c goja.FunctionCall) goja.Value {
			name := c.Argument(0).String()
			w.newHash(name)
			b := w.mustBytes("crypto.subtle.importKey", c.Argument(1))
			w.checkSize("crypto.subtle.importKey", len(b))
			return rt.ToValue(&hmacKey{hash: name, secret: append([]byte(nil), b...)})
		},
		// hmacGenerate(hashName, bits) -> an opaque key of random bytes (the
		// bits rounded up to bytes, the last byte's spare low bits zero).
		"hmacGenerate": func(c goja.FunctionCall) goja.Value {
			name := c.Argument(0).String()
			w.newHash(name)
			bits := int(c.Argument(1).ToInteger())
			if bits <= 0 || bits > 8*maxRandomBytes {
				w.throwDOM("generateKey: bad length", "OperationError")
			}
			secret := make([]byte, (bits+7)/8)
			_, _ = rand.Read(secret)
			if r := bits % 8; r != 0 {
				secret[len(secret)-1] &= byte(0xFF << (8 - r))
			}
			return rt.ToValue(&hmacKey{hash: name, secret: secret})
		},
		// hmacSign(key, data) -> ArrayBuffer.
		"hmacSign": func(c goja.FunctionCall) goja.Value {
			k := w.hmacKeyArg(c.Argument(0))
			b := w.mustBytes("crypto.subtle.sign", c.Argument(1))
			w.checkSize("crypto.subtle.sign", len(b))
			return w.newArrayBuffer(k.sum(b))
		},
		// hmacVerify(key, signature, data) -> boolean, compared in constant time.
		"hmacVerify": func(c goja.FunctionCall) goja.Value {
			k := w.hmacKeyArg(c.Argument(0))
			sig := w.mustBytes("crypto.subtle.verify", c.Argument(1))
			b := w.mustBytes("crypto.subtle.verify", c.Argument(2))
			w.checkSize("crypto.subtle.verify", len(b))
			return rt.ToValue(hmac.Equal(k.sum(b), sig))
		},
		// exportRaw(key) -> ArrayBuffer holding a copy of the secret.
		"exportRaw": func(c goja.FunctionCall) goja.Value {
			k := w.hmacKeyArg(c.Argument(0))
			return w.newArrayBuffer(append([]byte(nil), k.secret...))
		},
		// keyBytes(keyData) -> its length in bytes (a TypeError if not a BufferSource).
		"byteLength": func(c goja.FunctionCall) goja.Value {
			return rt.ToValue(len(w.mustBytes("crypto.subtle", c.Argument(0))))
		},
	})
	return o
}

// newHash returns the hash named (already normalized by the JS side).
func (w *web) newHash(name string) hash.Hash {
	mk, ok := hashes[name]
	if !ok {
		w.throwDOM("Unrecognized algorithm name", "NotSupportedError")
	}
	return mk()
}

func (w *web) hmacKeyArg(v goja.Value) *hmacKey {
	k, ok := v.Export().(*hmacKey)
	if !ok {
		w.throwType("crypto.subtle: not an HMAC key")
	}
	return k
}

func (k *hmacKey) sum(data []byte) []byte {
	m := hmac.New(hashes[k.hash], k.secret)
	m.Write(data)
	return m.Sum(nil)
}
