console.log(`post: state from main=${process.env.STATE_from_main}`);
