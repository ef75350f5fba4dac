const fs = require('fs');
console.log('pre: preparing');
fs.appendFileSync(process.env.GITHUB_STATE, 'from_pre=ready\n');
