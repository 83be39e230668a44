package cli

import "testing"

func TestByteSize(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int64{"1": 1, "1048576": 1 << 20, "64KiB": 64 << 10, "1MiB": 1 << 20, "2KB": 2000, "3MB": 3e6} {
		var b ByteSize
		if err := b.Set(in); err != nil || int64(b) != want {
			t.Errorf("%s: %d, %v; want %d", in, b, err, want)
		}
	}
	for _, in := range []string{"", "0", "-1", "lots", "1GiB", "17592186044417MiB", "18014398509481985KiB"} {
		var b ByteSize
		if err := b.Set(in); err == nil {
			t.Errorf("%q accepted as %d", in, b)
		}
	}
}

func TestList(t *testing.T) {
	t.Parallel()
	var l List
	_ = l.Set("a, b,,c")
	_ = l.Set("d")
	if l.String() != "a,b,c,d" {
		t.Errorf("got %q", l.String())
	}
}
