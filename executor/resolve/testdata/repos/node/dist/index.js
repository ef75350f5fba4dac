const fs = require('fs');
const msg = process.env['INPUT_MESSAGE'];
console.log(`node action says: ${msg}`);
fs.appendFileSync(process.env.GITHUB_OUTPUT, `said=${msg}\n`);
