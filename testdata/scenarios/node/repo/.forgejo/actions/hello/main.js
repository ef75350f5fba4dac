const fs = require('fs');
console.log(`main: hello ${process.env['INPUT_WHO-TO-GREET']}, state from pre=${process.env.STATE_from_pre}`);
fs.appendFileSync(process.env.GITHUB_OUTPUT, `greeting=Hello ${process.env['INPUT_WHO-TO-GREET']}\n`);
fs.appendFileSync(process.env.GITHUB_STATE, 'from_main=yes\n');
