CREATE TYPE mood AS ENUM ('sad', 'meh', 'happy');
