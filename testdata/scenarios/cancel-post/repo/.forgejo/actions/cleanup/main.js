console.log("main registers a post step");
