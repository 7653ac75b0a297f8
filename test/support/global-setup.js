// Says which databases the database-touching suites run on, so a CI log shows it.
module.exports = async () => {
  const url = process.env.TEST_DATABASE_URL;
  const covered = ['sqlite (embedded libsql)'];
  if (url) covered.push(`mysql/mariadb (${url.replace(/\/\/([^:@/]+):[^@]*@/, '//$1:***@')})`);
  process.stdout.write(`\n[plinth] database suites run on: ${covered.join(' + ')}${url ? '' : ' — set TEST_DATABASE_URL=mysql://… to cover MariaDB too'}\n`);
};
