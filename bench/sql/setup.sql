SET synchronous_commit = off;
SET maintenance_work_mem = '512MB';
SET work_mem = '64MB';
