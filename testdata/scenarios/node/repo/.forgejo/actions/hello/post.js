console.log(`post runs, state from main=${process.env.STATE_from_main}`);
