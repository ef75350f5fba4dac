package forge_test

import (
	"context"
	"errors"
	"testing"
	"time"

	runnerv1 "code.gitea.io/actions-proto-go/runner/v1"

	"codeberg.org/anvil-ci/anvil/forge"
	"codeberg.org/anvil-ci/anvil/forge/forgetest"
)

func TestErrorClasses(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	tests := []struct {
		name string
		call func(t *testing.T) error
		want error // a class, or nil for fatal
		also error // another error the result must match
	}{{
		name: "wrong token is unregistered",
		call: func(t *testing.T) error {
			srv := forgetest.New(t)
			r := srv.AddRunner("r", nil)
			c := forge.New(forge.Config{Address: srv.URL(), UUID: r.UUID, Token: "wrong"})
			_, _, err := c.FetchTask(ctx, 0)
			return err
		},
		want: forge.ErrUnregistered,
	}, {
		name: "deleted runner is unregistered",
		call: func(t *testing.T) error {
			srv := forgetest.New(t)
			c, r := registered(t, srv)
			srv.DeleteRunner(r.UUID)
			return c.Declare(ctx, "v", nil)
		},
		want: forge.ErrUnregistered,
	}, {
		name: "unknown registration token",
		call: func(t *testing.T) error {
			srv := forgetest.New(t)
			c := forge.New(forge.Config{Address: srv.URL()})
			_, err := c.Register(ctx, &runnerv1.RegisterRequest{Name: "n", Token: "nope"})
			return err
		},
		want: forge.ErrBadRegistrationToken,
	}, {
		name: "register without a name is fatal",
		call: func(t *testing.T) error {
			srv := forgetest.New(t)
			c := forge.New(forge.Config{Address: srv.URL()})
			_, err := c.Register(ctx, &runnerv1.RegisterRequest{Token: "tok"})
			return err
		},
	}, {
		name: "503 is retryable",
		call: func(t *testing.T) error {
			srv := forgetest.New(t)
			c, _ := registered(t, srv)
			srv.Unavailable(time.Minute)
			_, _, err := c.FetchTask(ctx, 0)
			return err
		},
		want: forge.ErrRetryable,
	}, {
		name: "connection reset is retryable",
		call: func(t *testing.T) error {
			srv := forgetest.New(t)
			c, _ := registered(t, srv)
			srv.Refuse(forgetest.MethodUpdateLog, 1)
			_, err := c.UpdateLog(ctx, 1, 0, nil, false)
			return err
		},
		want: forge.ErrRetryable,
	}, {
		name: "dropped reply is retryable",
		call: func(t *testing.T) error {
			srv := forgetest.New(t)
			c, _ := registered(t, srv)
			srv.DropReply("", 1)
			return c.Ping(ctx, "x")
		},
		want: forge.ErrRetryable,
	}, {
		name: "deadline is retryable",
		call: func(t *testing.T) error {
			srv := forgetest.New(t)
			c, _ := registered(t, srv)
			srv.Delay(forgetest.MethodFetchTask, time.Minute)
			short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
			defer cancel()
			_, _, err := c.FetchTask(short, 0)
			return err
		},
		want: forge.ErrRetryable,
		also: context.DeadlineExceeded,
	}, {
		name: "forge down is retryable",
		call: func(t *testing.T) error {
			srv := forgetest.New(t)
			c, _ := registered(t, srv)
			srv.Close()
			return c.Ping(ctx, "x")
		},
		want: forge.ErrRetryable,
	}, {
		name: "server-side failure (HTTP 500) is retryable",
		call: func(t *testing.T) error {
			srv := forgetest.New(t)
			c, _ := registered(t, srv)
			_, err := c.UpdateTask(ctx, &runnerv1.TaskState{Id: 42}, nil) // "update task: task 42 does not exist"
			return err
		},
		want: forge.ErrRetryable,
	}, {
		name: "new rows after no_more are fatal",
		call: func(t *testing.T) error {
			srv := forgetest.New(t)
			c, _ := registered(t, srv, "ubuntu-latest")
			id := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: workflow})
			if _, _, err := c.FetchTask(ctx, 0); err != nil {
				return err
			}
			row := []*runnerv1.LogRow{{Content: "x"}}
			if _, err := c.UpdateLog(ctx, id, 0, row, true); err != nil {
				return err
			}
			_, err := c.UpdateLog(ctx, id, 1, row, false)
			return err
		},
	}, {
		name: "wrong instance path is unimplemented",
		call: func(t *testing.T) error {
			srv := forgetest.New(t)
			return forge.New(forge.Config{Address: srv.URL() + "/not-the-forge"}).Ping(ctx, "x")
		},
		want: forge.ErrUnimplemented,
	}, {
		name: "malformed address is fatal",
		call: func(t *testing.T) error {
			return forge.New(forge.Config{Address: "forge.example"}).Ping(ctx, "x")
		},
	}, {
		name: "cancelled context has no class",
		call: func(t *testing.T) error {
			srv := forgetest.New(t)
			c, _ := registered(t, srv)
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			_, _, err := c.FetchTask(cctx, 0)
			return err
		},
		also: context.Canceled,
	}}
	classes := []error{forge.ErrUnregistered, forge.ErrBadRegistrationToken, forge.ErrRetryable, forge.ErrUnimplemented}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.call(t)
			if err == nil {
				t.Fatal("call succeeded, want an error")
			}
			t.Logf("error: %v", err)
			for _, class := range classes {
				if got, want := errors.Is(err, class), class == tt.want; got != want {
					t.Errorf("errors.Is(%v, %v) = %t, want %t", err, class, got, want)
				}
			}
			if tt.also != nil && !errors.Is(err, tt.also) {
				t.Errorf("errors.Is(%v, %v) = false, want true", err, tt.also)
			}
		})
	}
}
