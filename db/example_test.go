package db_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing/fstest"

	"github.com/eventhost/eventhost/db"
)

func Example() {
	dir, err := os.MkdirTemp("", "eventhost-db-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()

	d, err := db.Open(ctx, "sqlite:"+filepath.Join(dir, "data", "app.db"), db.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer d.Close()

	migrations := fstest.MapFS{
		"001_notes.sql": {Data: []byte("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, done BOOLEAN NOT NULL DEFAULT FALSE);")},
	}
	applied, err := d.Migrate(ctx, migrations)
	fmt.Println("applied", applied, err)

	res, err := d.Exec(ctx, "INSERT INTO notes (body) VALUES (?)", "buy milk")
	fmt.Println("inserted", res.RowsAffected, "id", res.LastInsertID, err)

	err = d.Tx(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, "UPDATE notes SET done = ? WHERE id = ?", true, res.LastInsertID)
		return err
	})
	fmt.Println("tx", err)

	rows, err := d.Query(ctx, "SELECT id, body, done FROM notes")
	for _, row := range rows {
		for _, c := range row {
			fmt.Printf("%s=%v ", c.Name, c.Value)
		}
		fmt.Println(err)
	}
	// Output:
	// applied [001_notes.sql] <nil>
	// inserted 1 id 1 <nil>
	// tx <nil>
	// id=1 body=buy milk done=true <nil>
}
