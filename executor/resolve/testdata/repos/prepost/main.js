const fs = require('fs');
console.log(`main: state from pre=${process.env.STATE_from_pre}`);
fs.appendFileSync(process.env.GITHUB_STATE, 'from_main=done\n');
