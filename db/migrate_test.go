package db

import (
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
)

func migrationFS(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, body := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(body)}
	}
	return fsys
}

func TestMigrate(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b testBackend) {
		d := open(t, b.dsn(t), Options{})
		fsys := migrationFS(map[string]string{
			// Out of order in the map and with a second statement: applied by name.
			"002_msgs.sql":  "CREATE TABLE msgs (id INTEGER PRIMARY KEY, note INTEGER REFERENCES notes(id));\nINSERT INTO notes (id, body) VALUES (1, 'first; not a statement end');",
			"001_notes.sql": "-- notes\nCREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);",
			"README.md":     "not a migration",
		})
		fsys["sub/003_ignored.sql"] = &fstest.MapFile{Data: []byte("BROKEN")}

		applied, err := d.Migrate(testCtx(t), fsys)
		if err != nil {
			t.Fatalf("Migrate: %v", err)
		}
		if want := []string{"001_notes.sql", "002_msgs.sql"}; !reflect.DeepEqual(applied, want) {
			t.Fatalf("applied %v, want %v", applied, want)
		}
		rows := mustQuery(t, d, "SELECT name, checksum, applied_at FROM "+MigrationsTable+" ORDER BY name")
		if len(rows) != 2 || rows[0][0].Value != "001_notes.sql" || len(rows[0][1].Value.(string)) != 64 {
			t.Fatalf("recorded: %v", rows)
		}
		if n := count(t, d, "notes"); n != 1 {
			t.Fatalf("notes: %d", n)
		}

		// Re-running is a no-op.
		applied, err = d.Migrate(testCtx(t), fsys)
		if err != nil || len(applied) != 0 {
			t.Fatalf("re-run: applied %v, err %v", applied, err)
		}

		// A new file is applied alone; a failing one after it names itself,
		// leaves the earlier ones applied and is not recorded.
		fsys["003_tags.sql"] = &fstest.MapFile{Data: []byte("CREATE TABLE tags (name TEXT PRIMARY KEY);")}
		fsys["004_broken.sql"] = &fstest.MapFile{Data: []byte("CREATE TABLE half (a INTEGER);\nCREATE TABLEX nope (a INTEGER);")}
		fsys["005_after.sql"] = &fstest.MapFile{Data: []byte("CREATE TABLE after (a INTEGER);")}
		applied, err = d.Migrate(testCtx(t), fsys)
		var me *MigrationError
		if !errors.As(err, &me) || me.File != "004_broken.sql" || !strings.HasPrefix(err.Error(), "004_broken.sql: ") {
			t.Fatalf("failing file: got %v, want an error starting with its name", err)
		}
		if !reflect.DeepEqual(applied, []string{"003_tags.sql"}) {
			t.Fatalf("applied before the failure: %v", applied)
		}
		if n := count(t, d, MigrationsTable); n != 3 {
			t.Fatalf("recorded after the failure: %d, want 3", n)
		}
		if _, err := d.Query(testCtx(t), "SELECT a FROM half"); err == nil {
			t.Fatal("the failing file's first statement was kept")
		}
		if _, err := d.Query(testCtx(t), "SELECT a FROM after"); err == nil {
			t.Fatal("a file after the failing one was applied")
		}

		// Fixing the failing file lets the run go on.
		fsys["004_broken.sql"] = &fstest.MapFile{Data: []byte("CREATE TABLE half (a INTEGER);")}
		applied, err = d.Migrate(testCtx(t), fsys)
		if err != nil || !reflect.DeepEqual(applied, []string{"004_broken.sql", "005_after.sql"}) {
			t.Fatalf("after the fix: applied %v, err %v", applied, err)
		}

		// Changing an applied file is an error naming it, before anything runs.
		fsys["001_notes.sql"] = &fstest.MapFile{Data: []byte("CREATE TABLE notes (id INTEGER PRIMARY KEY);")}
		fsys["006_new.sql"] = &fstest.MapFile{Data: []byte("CREATE TABLE newer (a INTEGER);")}
		applied, err = d.Migrate(testCtx(t), fsys)
		if !errors.Is(err, ErrMigrationChanged) || !strings.HasPrefix(err.Error(), "001_notes.sql: ") || len(applied) != 0 {
			t.Fatalf("changed file: applied %v, err %v", applied, err)
		}
		if _, err := d.Query(testCtx(t), "SELECT a FROM newer"); err == nil {
			t.Fatal("a new file ran although an applied one changed")
		}
	})
}

func TestMigrateConcurrent(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b testBackend) {
		dsn := b.dsn(t)
		files := map[string]string{}
		for _, n := range []string{"001", "002", "003", "004", "005"} {
			files[n+"_t.sql"] = "CREATE TABLE t" + n + " (a INTEGER);"
		}
		fsys := migrationFS(files)
		// Two nodes start at once: each file is applied exactly once.
		const nodes = 2
		var wg sync.WaitGroup
		results := make([][]string, nodes)
		errs := make([]error, nodes)
		for i := range nodes {
			d := open(t, dsn, Options{})
			wg.Go(func() { results[i], errs[i] = d.Migrate(testCtx(t), fsys) })
		}
		wg.Wait()
		var all []string
		for i := range nodes {
			if errs[i] != nil {
				t.Fatalf("node %d: %v", i, errs[i])
			}
			all = append(all, results[i]...)
		}
		if len(all) != len(files) {
			t.Fatalf("applied %v, want each of %d files once", all, len(files))
		}
		d := open(t, dsn, Options{})
		if n := count(t, d, MigrationsTable); n != int64(len(files)) {
			t.Fatalf("recorded %d", n)
		}
	})
}

func TestMigrateDir(t *testing.T) {
	t.Parallel()
	d := open(t, sqliteDSNForTest(t), Options{})
	applied, err := d.MigrateDir(testCtx(t), filepath.Join(t.TempDir(), "missing"))
	if err != nil || applied != nil {
		t.Fatalf("missing folder: %v %v", applied, err)
	}
}
