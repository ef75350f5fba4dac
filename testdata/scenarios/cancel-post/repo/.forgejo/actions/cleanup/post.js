console.log("post step runs after the cancel");
